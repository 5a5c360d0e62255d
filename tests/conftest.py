"""Shared fixtures: demo landing data and the demo warehouse, built once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from customer360 import dbt_manifest
from tests.helpers import PROJECT_DIR, Build, run_cli, run_dbt


@pytest.fixture(scope="session")
def demo_landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    landing = tmp_path_factory.mktemp("demo") / "landing"
    result = run_cli(
        "demo", "--customers", "1500", "--seed", "7", "--quiet", "--landing-dir", str(landing)
    )
    assert result.returncode == 0, result.stderr
    return landing


@pytest.fixture(scope="session")
def demo_build(demo_landing: Path, tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The demo warehouse, built once with every model and data test (the default selector;
    the unit tests run in test_unit_tests.py)."""
    work = tmp_path_factory.mktemp("demo_build")
    build = Build(demo_landing, work / "warehouse.duckdb", work / "target")
    run_dbt(build, "build")
    assert build.returncode == 0, build.output[-5000:]
    return build


@pytest.fixture(scope="session")
def parsed_manifest(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The project's manifest from `dbt parse` (no warehouse, no data): enough for checks
    of the project's structure."""
    return dbt_manifest.parse(PROJECT_DIR, tmp_path_factory.mktemp("parse") / "target")
