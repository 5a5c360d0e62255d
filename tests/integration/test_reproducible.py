"""Same landing data and vars, same tables.

A second build of the demo data gives identical content in every table, ML outputs and
segment names included; and a build of the same rows shuffled and re-split into other
files gives identical marts — nothing downstream of staging depends on file order.
"""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from customer360 import publish, serving
from tests.helpers import Build, parquet_digests, run_dbt

pytestmark = pytest.mark.integration

# Staging keeps each row's provenance (file name and row number), which a shuffle changes
# on purpose; everything built from the staged rows must not.
PROVENANCE_SCHEMAS = ("landing", "staging", "information_schema")


def fingerprints(build: Build, skip_schemas: tuple[str, ...] = ("landing",)) -> dict[str, tuple]:
    # ops.build_runs records each run itself (its id, times): different by nature
    skipped = ", ".join(f"'{schema}'" for schema in (*skip_schemas, "ops", "information_schema"))
    with build.connect() as connection:
        tables = connection.execute(
            "select table_schema, table_name from information_schema.tables "
            f"where table_schema not in ({skipped}) order by all"
        ).fetchall()
        return {
            f"{schema}.{table}": connection.execute(
                f'select count(*), sum(hash(t)) from "{schema}"."{table}" as t'
            ).fetchall()[0]
            for schema, table in tables
        }


def shuffled_copy(landing: Path, destination: Path, seed: int = 11, parts: int = 3) -> None:
    """Every entity's rows in a random order, split over `parts` files with other names."""
    rng = np.random.default_rng(seed)
    for entity_dir in sorted(path for path in landing.iterdir() if path.is_dir()):
        table = pq.read_table(entity_dir)
        shuffled = table.take(rng.permutation(table.num_rows))
        (destination / entity_dir.name).mkdir(parents=True)
        bounds = np.linspace(0, shuffled.num_rows, parts + 1).astype(int)
        for part, (start, stop) in enumerate(pairwise(bounds)):
            pq.write_table(
                shuffled.slice(start, stop - start),
                destination / entity_dir.name / f"shuffled-{part}.parquet",
            )


def test_a_second_build_gives_identical_tables(
    demo_build: Build, tmp_path_factory: pytest.TempPathFactory
) -> None:
    work: Path = tmp_path_factory.mktemp("second_build")
    again = run_dbt(Build(demo_build.landing, work / "warehouse.duckdb", work / "target"), "build")
    assert again.returncode == 0, again.output[-3000:]
    first, second = fingerprints(demo_build), fingerprints(again)
    assert "marts.customer_segments" in first and "ml.churn_model_runs" in first
    assert first == second
    # published, the two builds give the same Parquet bytes (rows sorted, key first)
    for build, folder in ((demo_build, work / "first"), (again, work / "second")):
        publish.publish(build.database, folder, build.target / "manifest.json")
    first_files = parquet_digests(serving.current(work / "first").folder)
    assert len(first_files) > 30
    assert first_files == parquet_digests(serving.current(work / "second").folder)


def test_shuffled_landing_rows_give_identical_marts(
    demo_build: Build, tmp_path_factory: pytest.TempPathFactory
) -> None:
    work: Path = tmp_path_factory.mktemp("shuffled_build")
    shuffled_copy(demo_build.landing, work / "landing")
    assert (
        pq.read_table(work / "landing" / "orders").num_rows
        == pq.read_table(demo_build.landing / "orders").num_rows
    )
    shuffled = run_dbt(Build(work / "landing", work / "warehouse.duckdb", work / "target"), "build")
    assert shuffled.returncode == 0, shuffled.output[-3000:]
    first = fingerprints(demo_build, PROVENANCE_SCHEMAS)
    second = fingerprints(shuffled, PROVENANCE_SCHEMAS)
    assert "marts.customer_rfm" in first and "ml.association_rules" in first
    differing = sorted(name for name in first if first[name] != second.get(name))
    assert differing == []
