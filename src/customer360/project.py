"""Where the dbt project, the landing zone and the warehouse files are, and every C360_*
setting's default."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

# The C360_* settings that have a default, and the default: written once here. dbt's
# profiles.yml and dbt_project.yml and the Makefile restate the ones they read, in their
# own syntax; tests/unit/test_settings.py checks that they restate these values and that
# no Python module has a default of its own. A relative path is taken from the project
# directory.
DEFAULTS = {
    "C360_LANDING_DIR": "data/landing",
    "C360_TARGET": "dev",
    "C360_DB_PATH": "warehouse/customer360.duckdb",
    "C360_TEST_DB_PATH": "warehouse/test.duckdb",
    "C360_SERVING_DIR": "warehouse/serving",
    "C360_QUALITY_DIR": "warehouse/quality",
    "C360_DASHBOARD_DIR": "warehouse/dashboards",
    "C360_SERVING_GRACE_MINUTES": "60",
    "C360_MEMORY_LIMIT": "4GB",
    # OpenMP / BLAS threads per Python model (customer360.ml); dbt already runs two
    # models at once (profiles.yml `threads`)
    "C360_ML_THREADS": "1",
    "C360_CHROMIUM": "/usr/bin/chromium",
}


def setting(variable: str) -> str:
    """A C360_* setting: the environment's value, else its default."""
    return os.environ.get(variable, DEFAULTS[variable])


def setting_path(variable: str) -> Path:
    """A C360_* setting that names a file or folder."""
    return project_path(setting(variable))


def project_path(text: str) -> Path:
    """A path as given, or relative to the project directory."""
    path = Path(text)
    return path if path.is_absolute() else project_dir() / path


def project_dir() -> Path:
    """The dbt project directory: $C360_PROJECT_DIR, else the nearest folder holding
    dbt_project.yml upwards from the working directory, else the source checkout."""
    if env := os.environ.get("C360_PROJECT_DIR"):
        return Path(env).resolve()
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "dbt_project.yml").is_file():
            return folder
    return Path(__file__).resolve().parents[2]


def landing_dir() -> Path:
    """The landing zone: $C360_LANDING_DIR (relative to the project) or data/landing."""
    return setting_path("C360_LANDING_DIR")


def project_vars(project: Path | None = None) -> dict[str, Any]:
    """dbt_project.yml's vars, without the Jinja-valued ones (e.g. landing_dir)."""
    project = project or project_dir()
    document = yaml.safe_load((project / "dbt_project.yml").read_text(encoding="utf-8"))
    return {
        name: value
        for name, value in (document.get("vars") or {}).items()
        if not (isinstance(value, str) and "{{" in value)
    }
