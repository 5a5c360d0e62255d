"""Where the dbt project, the landing zone and the warehouse files are."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml


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
    path = Path(os.environ.get("C360_LANDING_DIR", "data/landing"))
    return path if path.is_absolute() else project_dir() / path


def project_vars(project: Path | None = None) -> dict[str, Any]:
    """dbt_project.yml's vars, without the Jinja-valued ones (e.g. landing_dir)."""
    project = project or project_dir()
    document = yaml.safe_load((project / "dbt_project.yml").read_text(encoding="utf-8"))
    return {
        name: value
        for name, value in (document.get("vars") or {}).items()
        if not (isinstance(value, str) and "{{" in value)
    }
