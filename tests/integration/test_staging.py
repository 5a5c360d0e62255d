"""Staging loses nothing: bad landed rows become rejects with the contract's reasons,
exact duplicates are counted, absent optional entities build empty, and a missing
required entity stops the build with a message that says what to do."""

from __future__ import annotations

from pathlib import Path

import pytest

from customer360 import contract
from tests.helpers import Build, run_dbt

pytestmark = pytest.mark.integration

ORDERS = """\
order_id,customer_id,ordered_at,channel,status,ignored_extra_column
O1,C1,2024-01-01 10:00:00,online,completed,x
O2,C1,2024-02-01 10:00:00, STORE ,,x
O3,C2,2024-03-01,online,completed,x
O3,C2,2024-03-01,online,completed,x
O4,C3,not a date,online,completed,x
,C3,2024-01-01,online,completed,x
O5,C3,2024-01-05,online,shipped,x
O6,C4,2024-01-05,online,completed,x
O6,C5,2024-01-05,online,completed,x
O7,,2024-01-05,online,completed,x
"""

ORDER_ITEMS = """\
order_id,line_number,product_id,quantity,unit_price,discount_amount
O1,1,P1,2,10.5,
O1,2,P2,1,5,1
O2,,P1,1,10.5,0
O2,,,3,2,0
O3,1,P1,1,10,0
O9,1,P1,1,10,0
O1,3,P2,0,5,0
O1,4,P2,1,-5,0
O6,1,P1,1,10,0
"""


@pytest.fixture(scope="module")
def messy_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    work = tmp_path_factory.mktemp("messy")
    landing = work / "landing"
    for entity, text in {"orders": ORDERS, "order_items": ORDER_ITEMS}.items():
        (landing / entity).mkdir(parents=True)
        (landing / entity / f"{entity}.csv").write_text(text)
    build = Build(landing, work / "warehouse.duckdb", work / "target")
    run_dbt(build, "build", "--select", "staging", "+landing_reconciliation", "+rejected_rows")
    assert build.returncode == 0, build.output[-5000:]
    return build


def test_each_bad_row_is_rejected_with_its_reason_file_and_row(messy_build: Build) -> None:
    rejects = messy_build.query(
        "select entity, source_row, reject_reason, source_file from marts.rejected_rows"
    )
    assert {(entity, row, reason) for entity, row, reason, _ in rejects} == {
        ("orders", 6, "unparseable:ordered_at"),
        ("orders", 7, "missing_key"),
        ("orders", 8, "out_of_range:status"),
        ("orders", 9, "duplicate_conflict"),
        ("orders", 10, "duplicate_conflict"),
        # row 11, O7 without a customer, is an anonymous (guest) order: staged
        ("order_items", 7, "orphan"),  # O9 was never landed
        ("order_items", 8, "out_of_range:quantity"),
        ("order_items", 9, "out_of_range:unit_price"),
        # its order O6 was rejected as a conflicting duplicate, and the line says so
        ("order_items", 10, "order_rejected:duplicate_conflict"),
    }
    assert all(Path(file).name in {"orders.csv", "order_items.csv"} for *_, file in rejects)


def test_rejects_keep_the_raw_values(messy_build: Build) -> None:
    [(raw,)] = messy_build.query(
        "select raw_values from marts.rejected_rows where reject_reason = 'unparseable:ordered_at'"
    )
    assert '"ordered_at":"not a date"' in raw


def test_landed_equals_staged_plus_duplicates_plus_rejected(messy_build: Build) -> None:
    counts = {
        entity: (landed, staged, duplicates, rejected)
        for entity, landed, staged, duplicates, rejected in messy_build.query(
            "select entity, landed_rows, staged_rows, duplicate_rows, rejected_rows "
            "from marts.landing_reconciliation"
        )
    }
    assert counts["orders"] == (10, 4, 1, 5)
    assert counts["order_items"] == (9, 5, 0, 4)
    assert counts["customers"] == (0, 0, 0, 0)


def test_staged_values_are_typed_trimmed_and_defaulted(messy_build: Build) -> None:
    [(channel, status)] = messy_build.query(
        "select channel, status from staging.stg_orders where order_id = 'O2'"
    )
    assert (channel, status) == ("store", "completed")
    lines = messy_build.query(
        "select line_number, product_id, discount_amount from staging.stg_order_items "
        "where order_id = 'O2' order by line_number"
    )
    assert lines == [(1, "P1", 0), (2, "UNKNOWN", 0)]


def test_absent_optional_entities_build_empty_with_the_contract_columns(
    messy_build: Build,
) -> None:
    for entity in contract.load().values():
        if entity.required_entity:
            continue
        columns = [
            name
            for (name,) in messy_build.query(
                "select column_name from information_schema.columns "
                f"where table_schema = 'staging' and table_name = 'stg_{entity.name}' "
                "order by ordinal_position"
            )
        ]
        assert columns == entity.column_names, entity.name
        assert messy_build.query(f"select count(*) from staging.stg_{entity.name}") == [(0,)]


def test_a_missing_required_entity_stops_the_build_with_advice(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    (landing / "orders").mkdir(parents=True)
    (landing / "orders" / "orders.csv").write_text(ORDERS)
    build = run_dbt(
        Build(landing, tmp_path / "warehouse.duckdb", tmp_path / "target"),
        "build",
        "--select",
        "stg_orders",
    )
    assert build.returncode != 0
    assert "required entity 'order_items'" in build.output
    assert "customer360 ingest FILE --entity order_items" in build.output
