"""`customer360 export`: filters, formats, CSV-injection neutralisation and safe default
file names."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import duckdb
import pytest

from customer360.cli import main
from customer360.export import EXPORTS_DIR, default_out, neutralise, slug


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=HYPERLINK(1)", "'=HYPERLINK(1)"),
        ("+44 20", "'+44 20"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("Anna", "Anna"),
        (-5, -5),
        (None, None),
    ],
)
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


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("At Risk", "at-risk"),
        ("Can't Lose Them", "can-t-lose-them"),
        ("../../../../elsewhere/x", "elsewhere-x"),
        ("/etc/passwd", "etc-passwd"),
        ("..", "value"),
        ("a\x00b", "a-b"),
        ("Überfällig", "uberfallig"),
        ("C:\\temp", "c-temp"),
        ("x" * 500, "x" * 80),
    ],
)
def test_a_filter_value_becomes_a_file_name_safe_slug(value, expected) -> None:
    assert slug(value) == expected


HOSTILE = [
    "../../../../elsewhere/x",
    "/tmp/absolute",
    "..",
    "a/../../b",
    "nul\x00byte",
    "~/.ssh/authorized_keys",
    "x" * 10_000,
    "\\..\\..\\windows",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_a_hostile_filter_value_never_leaves_the_exports_folder(
    value, warehouse, tmp_path, monkeypatch, capsys
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    code = main(["export", "--segment", value, "--tier", value, "--database", str(warehouse)])
    assert code == 0, capsys.readouterr().err
    [written] = [path for path in tmp_path.rglob("*") if path.is_file() and path != warehouse]
    assert written.parent == work / "exports"
    assert re.fullmatch(r"target_list_[a-z0-9_-]{1,80}\.csv", written.name), written.name
    assert default_out({"segment": value}, "csv").parent == EXPORTS_DIR


def test_an_explicit_out_is_the_users_choice(warehouse, tmp_path, monkeypatch) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    args = ["export", "--segment", "At Risk", "--database", str(warehouse)]
    assert main([*args, "--out", "../elsewhere/list.csv"]) == 0
    assert (tmp_path / "elsewhere" / "list.csv").is_file()
