"""`customer360 export`: filters, formats and CSV-injection neutralisation."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from customer360.cli import main
from customer360.export import neutralise


@pytest.mark.parametrize(
    ("value", "expected"),
    [("=HYPERLINK(1)", "'=HYPERLINK(1)"), ("+44 20", "'+44 20"), ("-1+1", "'-1+1"),
     ("@SUM(A1)", "'@SUM(A1)"), ("\tcmd", "'\tcmd"), ("Anna", "Anna"), (-5, -5), (None, None)],
)  # fmt: skip
def test_formula_like_text_is_neutralised(value, expected) -> None:
    assert neutralise(value) == expected


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "warehouse.duckdb"
    connection = duckdb.connect(str(path))
    connection.execute("create schema exports")
    connection.execute(
        "create table exports.crm_contacts as select * from (values "
        "('C1', '=cmd()', 'a@example.com', 'At Risk', 'Gold', 'high', 0.9), "
        "('C2', 'Ben', 'b@example.com', 'Champions', 'Platinum', 'low', 0.1), "
        "('C3', 'Cleo', 'c@example.com', 'At Risk', 'Silver', 'medium', 0.5)) "
        "as t(customer_id, full_name, email, rfm_segment, tier, risk_band, churn_probability)"
    )
    connection.close()
    return path


def test_a_segment_list_is_written_with_neutralised_cells(warehouse, tmp_path, capsys) -> None:
    out = tmp_path / "list.csv"
    code = main(["export", "--segment", "At Risk", "--out", str(out), "--database", str(warehouse)])
    assert code == 0
    assert "2 contacts written" in capsys.readouterr().out
    rows = list(csv.DictReader(out.open()))
    assert [row["customer_id"] for row in rows] == ["C1", "C3"]
    assert rows[0]["full_name"] == "'=cmd()"


def test_filters_combine_and_parquet_works(warehouse, tmp_path) -> None:
    out = tmp_path / "list.parquet"
    args = ["export", "--segment", "At Risk", "--risk", "high", "--format", "parquet"]
    assert main([*args, "--out", str(out), "--database", str(warehouse)]) == 0
    assert duckdb.sql(f"select customer_id from '{out}'").fetchall() == [("C1",)]


def test_no_filter_or_no_warehouse_is_refused(tmp_path, capsys) -> None:
    assert main(["export", "--database", str(tmp_path / "none.duckdb")]) == 1
    assert "--segment" in capsys.readouterr().err
    assert main(["export", "--tier", "Gold", "--database", str(tmp_path / "none.duckdb")]) == 1
    assert "no warehouse yet" in capsys.readouterr().err
