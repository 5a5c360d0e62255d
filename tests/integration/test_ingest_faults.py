"""A `customer360 ingest` killed at any point leaves the old landing zone or the complete
new one, as readers see it, and the next ingest or build recovers without cleanup.

The process is killed through the test hook C360_FAULT=ingest:<point>
(customer360.landing_commit), which exits with os._exit(9) at that point, no cleanup run.
The landing zone holds sales.csv v1 (orders, order_items and products: it has a category)
and another file; v2 of sales.csv has other rows and no category, so its complete new set
is new orders and order_items files and no products file.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from customer360 import contract, landing_commit
from tests.helpers import BIN_DIR, PROJECT_DIR, Build, run_dbt

pytestmark = pytest.mark.integration

SALES_V1 = """\
CustomerID,TransactionDate,TransactionAmount,ProductCategory,Quantity
CUST_001,2024-01-15,150.00,Electronics,1
CUST_002,2024-01-16,75.50,Clothing,2
CUST_001,2024-02-20,30.00,Clothing,3
"""

SALES_V2 = """\
CustomerID,TransactionDate,TransactionAmount,Quantity
CUST_001,2024-01-15,150.00,1
CUST_002,2024-01-16,75.50,2
CUST_003,2024-03-01,12.00,1
CUST_002,2024-03-05,80.00,2
"""

OTHER = """\
CustomerID,TransactionDate,TransactionAmount,ProductCategory,Quantity
CUST_009,2024-04-01,20.00,Books,1
"""

State = dict[str, str]


def ingest(source: Path, landing: Path, fault: str | None = None) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key != "C360_FAULT"}
    if fault:
        env["C360_FAULT"] = f"ingest:{fault}"
    return subprocess.run(
        [
            str(BIN_DIR / "customer360"),
            "ingest",
            str(source),
            "--entity",
            "transactions",
            "--landing-dir",
            str(landing),
        ],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def state(landing: Path) -> State:
    """What the landing views read (`<entity>/*.parquet`): each file and its hash."""
    return {
        str(path.relative_to(landing)): hashlib.sha256(path.read_bytes()).hexdigest()
        for entity in contract.load()
        for path in sorted(landing.glob(f"{entity}/*.parquet"))
    }


def hidden(landing: Path) -> list[str]:
    return sorted(str(path.relative_to(landing)) for path in landing.rglob(".*"))


def marts(build: Build) -> dict[str, tuple]:
    with build.connect() as connection:
        tables = connection.execute(
            "select table_name from information_schema.tables "
            "where table_schema = 'marts' order by all"
        ).fetchall()
        return {
            table: connection.execute(
                f'select count(*), sum(hash(t)) from marts."{table}" as t'
            ).fetchall()[0]
            for (table,) in tables
        }


@pytest.fixture(scope="module")
def zones(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The sources (v2 at sales.csv), the old zone and the new zone of a clean ingest."""
    work = tmp_path_factory.mktemp("faults")
    sales, other = work / "files" / "sales.csv", work / "files" / "other.csv"
    sales.parent.mkdir()
    other.write_text(OTHER)
    sales.write_text(SALES_V1)
    old = work / "old"
    for source in (other, sales):
        assert ingest(source, old).returncode == 0
    new = work / "new"
    shutil.copytree(old, new)
    sales.write_text(SALES_V2)
    result = ingest(sales, new)
    assert result.returncode == 0, result.stderr
    assert "removed:" in result.stdout
    return {"sales": sales, "old": old, "new": new, "work": work}


@pytest.fixture(scope="module")
def clean_build(zones: dict[str, Path]) -> dict[str, tuple]:
    work = zones["work"]
    build = run_dbt(Build(zones["new"], work / "new.duckdb", work / "clean_target"), "build")
    assert build.returncode == 0, build.output[-3000:]
    return marts(build)


def test_the_new_set_replaces_exactly_the_files_of_the_stem(zones: dict[str, Path]) -> None:
    old, new = state(zones["old"]), state(zones["new"])
    assert sorted(old) == [
        "order_items/other.parquet",
        "order_items/sales.parquet",
        "orders/other.parquet",
        "orders/sales.parquet",
        "products/other.parquet",
        "products/sales.parquet",
    ]
    assert sorted(new) == sorted(set(old) - {"products/sales.parquet"})
    assert {name: new[name] for name in new if "other" in name} == {
        name: old[name] for name in old if "other" in name
    }
    assert new["orders/sales.parquet"] != old["orders/sales.parquet"]
    assert hidden(zones["old"]) == hidden(zones["new"]) == []


@pytest.mark.parametrize(
    ("fault", "recovered_to"),
    [("writing", "old"), ("after-commit", "new"), ("after-move-1", "new"), ("after-move-2", "new")],
)
def test_a_killed_ingest_leaves_the_old_or_the_new_state(
    zones: dict[str, Path], tmp_path: Path, fault: str, recovered_to: str
) -> None:
    landing = tmp_path / "landing"
    shutil.copytree(zones["old"], landing)
    killed = ingest(zones["sales"], landing, fault)
    assert killed.returncode == 9, killed.stderr
    assert hidden(landing), "the kill left nothing to recover: the hook did not fire"
    if fault in ("writing", "after-commit"):  # nothing moved yet
        assert state(landing) == state(zones["old"])
    # what a reader sees: dbt recovers before it reads (customer360.dbt_plugin)
    with landing_commit.locked(landing):
        landing_commit.recover(landing)
    assert state(landing) == state(zones[recovered_to])
    assert hidden(landing) == []


@pytest.mark.parametrize("fault", ["writing", "after-commit", "after-move-1", "after-move-2"])
def test_the_next_ingest_recovers(zones: dict[str, Path], tmp_path: Path, fault: str) -> None:
    landing = tmp_path / "landing"
    shutil.copytree(zones["old"], landing)
    assert ingest(zones["sales"], landing, fault).returncode == 9
    again = ingest(zones["sales"], landing)
    assert again.returncode == 0, again.stderr
    assert "recovered:" in again.stderr
    assert state(landing) == state(zones["new"])
    assert hidden(landing) == []


def test_the_next_ingest_removes_leftovers_of_older_versions(
    zones: dict[str, Path], tmp_path: Path
) -> None:
    landing = tmp_path / "landing"
    shutil.copytree(zones["old"], landing)
    (landing / "orders" / ".sales.parquet.tmp").write_bytes(b"half a file")
    (landing / ".ingest-sales-1").mkdir()
    (landing / ".ingest-sales-1" / "orders.parquet").write_bytes(b"uncommitted")
    assert ingest(zones["sales"], landing).returncode == 0
    assert state(landing) == state(zones["new"])
    assert hidden(landing) == []


@pytest.mark.parametrize("fault", ["after-commit", "after-move-1"])
def test_a_build_after_a_killed_ingest_equals_one_after_a_clean_ingest(
    zones: dict[str, Path], clean_build: dict[str, tuple], tmp_path: Path, fault: str
) -> None:
    landing = tmp_path / "landing"
    shutil.copytree(zones["old"], landing)
    assert ingest(zones["sales"], landing, fault).returncode == 9
    build = run_dbt(Build(landing, tmp_path / "warehouse.duckdb", tmp_path / "target"), "build")
    assert build.returncode == 0, build.output[-3000:]
    assert "finished the committed ingest" in build.output
    assert hidden(landing) == []
    assert marts(build) == clean_build
