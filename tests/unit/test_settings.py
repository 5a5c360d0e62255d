"""Every C360_* default has one home, customer360.project.DEFAULTS: dbt's yml and the
Makefile restate the ones they read with the same value, and no Python module carries a
default of its own."""

from __future__ import annotations

import re
from pathlib import Path

from customer360.project import DEFAULTS
from tests.helpers import PROJECT_DIR

# env_var('C360_X', 'default') in dbt's yml and SQL
DBT_DEFAULT = re.compile(r"""env_var\(\s*['"](C360_\w+)['"]\s*,\s*['"]([^'"]*)['"]\s*\)""")
# $(or $(C360_X),default) and ${C360_X:-default} (written $${...} in a recipe) in the Makefile
MAKE_DEFAULT = re.compile(r"\$\(or \$\((C360_\w+)\),([^)]*)\)|\$\{(C360_\w+):-([^}]*)\}")
# os.environ.get("C360_X", default) / os.getenv("C360_X", default) in Python
PYTHON_DEFAULT = re.compile(r"""(?:environ\.get|getenv)\(\s*['"](C360_\w+)['"]\s*,""", re.MULTILINE)


def restated_defaults() -> list[tuple[str, str, str]]:
    """(file, variable, default) for every default the yml, SQL and Makefile restate."""
    found = []
    files = [PROJECT_DIR / "profiles.yml", PROJECT_DIR / "dbt_project.yml"]
    for folder in ("models", "macros", "python_models"):
        files += sorted((PROJECT_DIR / folder).rglob("*.yml"))
        files += sorted((PROJECT_DIR / folder).rglob("*.sql"))
    for path in files:
        for variable, default in DBT_DEFAULT.findall(path.read_text(encoding="utf-8")):
            found.append((str(path.relative_to(PROJECT_DIR)), variable, default))
    for match in MAKE_DEFAULT.finditer((PROJECT_DIR / "Makefile").read_text(encoding="utf-8")):
        variable = match.group(1) or match.group(3)
        default = match.group(2) if match.group(1) else match.group(4)
        found.append(("Makefile", variable, default))
    return found


def python_files() -> list[Path]:
    """Every Python file but this one (whose examples are stragglers on purpose)."""
    return [
        path
        for folder in ("src", "tests", "python_models")
        for path in sorted((PROJECT_DIR / folder).rglob("*.py"))
        if path.resolve() != Path(__file__).resolve()
    ]


def test_yml_and_makefile_restate_the_defaults_of_project_py() -> None:
    found = restated_defaults()
    # the check reads what it should: profiles.yml restates target, paths and memory limit
    assert {variable for file, variable, _ in found if file == "profiles.yml"} >= {
        "C360_TARGET",
        "C360_DB_PATH",
        "C360_TEST_DB_PATH",
        "C360_MEMORY_LIMIT",
        "C360_LANDING_DIR",
    }
    assert {variable for file, variable, _ in found if file == "Makefile"} >= {"C360_CHROMIUM"}
    wrong = [
        f"{file}: {variable} defaults to {default!r}, project.py DEFAULTS says "
        f"{DEFAULTS.get(variable)!r}"
        for file, variable, default in found
        if DEFAULTS.get(variable) != default
    ]
    assert wrong == []


def test_no_python_module_has_a_default_of_its_own() -> None:
    own = [
        f"{path.relative_to(PROJECT_DIR)}: {variable}"
        for path in python_files()
        for variable in PYTHON_DEFAULT.findall(path.read_text(encoding="utf-8"))
    ]
    assert own == [], "use customer360.project.setting() and add the default to DEFAULTS"


def test_the_checks_catch_a_straggler() -> None:
    assert PYTHON_DEFAULT.findall('x = os.environ.get("C360_NEW", "here")') == ["C360_NEW"]
    assert DBT_DEFAULT.findall("{{ env_var('C360_DB_PATH', 'elsewhere.duckdb') }}") == [
        ("C360_DB_PATH", "elsewhere.duckdb")
    ]
    make = MAKE_DEFAULT.search("echo $${C360_SERVING_DIR:-somewhere/else}")
    assert make is not None and make.group(3, 4) == ("C360_SERVING_DIR", "somewhere/else")
