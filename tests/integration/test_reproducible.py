"""Same landing data and vars, same tables: a second build of the demo data gives
identical content in every table, ML outputs and segment names included."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import Build, run_dbt

pytestmark = pytest.mark.integration


def fingerprints(build: Build) -> dict[str, tuple]:
    with build.connect() as connection:
        tables = connection.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema not in ('landing', 'information_schema') "
            "order by all"
        ).fetchall()
        return {
            f"{schema}.{table}": connection.execute(
                f'select count(*), sum(hash(t)) from "{schema}"."{table}" as t'
            ).fetchall()[0]
            for schema, table in tables
        }


def test_a_second_build_gives_identical_tables(
    demo_build: Build, tmp_path_factory: pytest.TempPathFactory
) -> None:
    work: Path = tmp_path_factory.mktemp("second_build")
    again = run_dbt(Build(demo_build.landing, work / "warehouse.duckdb", work / "target"), "build")
    assert again.returncode == 0, again.output[-3000:]
    first, second = fingerprints(demo_build), fingerprints(again)
    assert "marts.customer_segments" in first and "ml.churn_model_runs" in first
    assert first == second
