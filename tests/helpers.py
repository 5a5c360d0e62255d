"""Helpers for tests that build a warehouse: run dbt and the CLI in temporary directories.

Every build uses the `test` target with its own DuckDB file, landing directory and
target path under pytest's tmp directory, so tests never touch the dev warehouse.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb

PROJECT_DIR = Path(__file__).resolve().parents[1]
BIN_DIR = Path(sys.executable).parent
# User-facing text names the method ("the rule-based churn label"), never the requirement
# document it came from ("document 002"): users have never seen those documents.
REQUIREMENT_CITATION = re.compile(r"\b(?:doc|document)s? 00[0-4]\b", re.IGNORECASE)
WIDGET_SECRET = "C360_WIDGET_KEY_SECRET"  # customer360.widget_key.SECRET_ENV_VAR
# The --map options of a CDNOW file (no header): customer, yyyymmdd date, quantity, amount.
CDNOW_MAPS = [
    option
    for number, target in enumerate(["customer_id", "ordered_at", "quantity", "amount"], 1)
    for option in ("--map", f"{target}=column{number}")
]
# A dashboard KPI card: its key, label, value and note.
KPI_NOTE = re.compile(
    r'data-kpi="(\w+)"[^>]*>\s*<div class="kpi-label">[^<]*</div>'
    r'<div class="kpi-value">[^<]*</div>\s*'
    r'<div class="kpi-note">([^<]*)</div>'
)


@dataclass
class Build:
    """A dbt invocation against one landing directory and one warehouse file."""

    landing: Path
    database: Path
    target: Path
    returncode: int = 0
    output: str = ""
    # run_results.json of the last run, read at once: later commands on the same target
    # path (`dbt docs generate`) overwrite the file
    run_results: dict | None = None

    def connect(self) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(self.database), read_only=True)

    def query(self, sql: str) -> list[tuple]:
        with self.connect() as connection:
            return connection.execute(sql).fetchall()


def dbt_invocation(
    build: Build, *args: str, vars_: str | None = None, env: dict[str, str] | None = None
) -> tuple[list[str], dict[str, str]]:
    """The command line and environment of a dbt run on the build; `env` adds environment
    variables. The widget-key secret of the calling shell is not passed on, so builds are
    the same on every machine: a test that wants keys passes C360_WIDGET_KEY_SECRET."""
    inherited = {name: value for name, value in os.environ.items() if name != WIDGET_SECRET}
    env = {
        **inherited,
        **(env or {}),
        "DBT_PROFILES_DIR": str(PROJECT_DIR),
        "C360_TARGET": "test",
        "C360_TEST_DB_PATH": str(build.database),
        "C360_LANDING_DIR": str(build.landing),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    command = [str(BIN_DIR / "dbt"), *args, "--target-path", str(build.target), "--no-use-colors"]
    if vars_:
        command += ["--vars", vars_]
    return command, env


def run_dbt(
    build: Build, *args: str, vars_: str | None = None, env: dict[str, str] | None = None
) -> Build:
    """Run dbt on the build (see dbt_invocation) and keep its exit code and output."""
    command, env = dbt_invocation(build, *args, vars_=vars_, env=env)
    result = subprocess.run(
        command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, check=False
    )
    build.returncode = result.returncode
    build.output = result.stdout + result.stderr
    results_file = build.target / "run_results.json"
    build.run_results = json.loads(results_file.read_text()) if results_file.is_file() else None
    return build


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN_DIR / "customer360"), *args],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=False,
    )


def embedded(html: str, name: str) -> object:
    """A value of a dashboard page's DATA object (one `  name: <json>,` line)."""
    match = re.search(rf"^  {name}: (.*),$", html, re.MULTILINE)
    assert match, f"no {name} in the page's DATA"
    return json.loads(match.group(1))


def parquet_digests(folder: Path) -> dict[str, str]:
    """SHA-256 of every Parquet file under `folder`, by relative path."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*.parquet"))
    }
