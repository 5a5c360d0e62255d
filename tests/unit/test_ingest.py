"""`customer360 ingest`: reading, sniffing, mapping, the validation report, errors and
atomic writes. Each test lands into its own temporary landing directory."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from customer360.cli import main

PULSE = """\
CustomerID,TransactionDate,TransactionAmount,ProductCategory,Quantity
CUST_001,2024-01-15,150.00,Electronics,1
CUST_002,2024-01-16,75.50,Clothing,2
"""


def ingest(capsys: pytest.CaptureFixture, *args: str) -> tuple[int, str, str]:
    code = main(["ingest", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def landed(landing: Path, entity: str) -> list[dict]:
    relation = duckdb.sql(
        f"select * from read_parquet('{landing}/{entity}/*.parquet') order by _source_row"
    )
    names = [column[0] for column in relation.description]
    return [dict(zip(names, row, strict=True)) for row in relation.fetchall()]


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        str(path.relative_to(folder)): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in folder.rglob("*")
        if path.is_file()
    }


def test_flat_transactions_become_orders_and_lines(tmp_path: Path, capsys) -> None:
    source = tmp_path / "sales.csv"
    source.write_text(PULSE)
    landing = tmp_path / "landing"
    code, out, _ = ingest(capsys, str(source), "--entity", "transactions",
                          "--landing-dir", str(landing))  # fmt: skip
    assert code == 0
    assert "customer_id        <- CustomerID" in out
    orders = landed(landing, "orders")
    assert [order["order_id"] for order in orders] == [
        "CUST_001-20240115000000",
        "CUST_002-20240116000000",
    ]
    assert orders[0]["ordered_at"] == "2024-01-15 00:00:00"
    lines = landed(landing, "order_items")
    assert [(line["product_id"], line["quantity"]) for line in lines] == [
        ("Electronics", "1"),
        ("Clothing", "2"),
    ]
    assert float(lines[1]["unit_price"]) == pytest.approx(37.75)  # the amount is the line total
    assert [line["_source_row"] for line in lines] == [2, 3]  # the header is line 1
    assert lines[0]["_source_file"] == str(source.resolve())
    assert {row["category"] for row in landed(landing, "products")} == {"Electronics", "Clothing"}


def test_cdnow_whitespace_file_with_compact_dates(tmp_path: Path, capsys) -> None:
    source = tmp_path / "CDNOW_sample.txt"
    source.write_text("00001 19970101  1  11.77\n00002 19970112  5  77.00\n")
    landing = tmp_path / "landing"
    code, out, _ = ingest(
        capsys, str(source), "--entity", "transactions", "--landing-dir", str(landing),
        "--map", "customer_id=column1", "--map", "ordered_at=column2",
        "--map", "quantity=column3", "--map", "amount=column4",
    )  # fmt: skip
    assert code == 0
    assert "whitespace-separated, header: no" in out
    assert "(dates: %Y%m%d)" in out
    orders = landed(landing, "orders")
    assert orders[0]["ordered_at"] == "1997-01-01 00:00:00"
    lines = landed(landing, "order_items")
    assert float(lines[0]["unit_price"]) == pytest.approx(11.77)
    assert float(lines[1]["unit_price"]) == pytest.approx(15.40)


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_any_delimiter_is_sniffed(tmp_path: Path, capsys, delimiter: str) -> None:
    source = tmp_path / "customers.txt"
    source.write_text(
        delimiter.join(["Customer ID", "E-mail", "City"]) + "\n"
        + delimiter.join(["C1", "a@example.com", "Paris, France"]) + "\n"
    )  # fmt: skip
    landing = tmp_path / "landing"
    code, _, _ = ingest(capsys, str(source), "--entity", "customers", "--landing-dir",
                        str(landing))  # fmt: skip
    assert code == 0
    [customer] = landed(landing, "customers")
    assert (customer["customer_id"], customer["email"], customer["city"]) == (
        "C1",
        "a@example.com",
        "Paris, France",
    )


def test_excel_and_parquet_files(tmp_path: Path, capsys) -> None:
    frame = pd.DataFrame(
        {"Product ID": ["P1", "P2"], "Product Name": ["Mug", "Lamp"], "List Price": [4.5, 30]}
    )
    frame.to_excel(tmp_path / "catalogue.xlsx", index=False)
    frame.to_parquet(tmp_path / "catalogue_copy.parquet", index=False)
    landing = tmp_path / "landing"
    for name in ["catalogue.xlsx", "catalogue_copy.parquet"]:
        code, _, _ = ingest(capsys, str(tmp_path / name), "--entity", "products",
                            "--landing-dir", str(landing))  # fmt: skip
        assert code == 0
    rows = landed(landing, "products")
    assert sorted((row["product_id"], row["product_name"]) for row in rows) == [
        ("P1", "Mug"), ("P1", "Mug"), ("P2", "Lamp"), ("P2", "Lamp"),
    ]  # fmt: skip
    assert sorted(row["_source_row"] for row in rows) == [1, 2, 2, 3]  # sheet rows 2-3


def test_day_first_dates_are_sniffed(tmp_path: Path, capsys) -> None:
    source = tmp_path / "orders.csv"
    source.write_text("order_id,customer_id,ordered_at\nO1,C1,31/01/2024\nO2,C1,05/02/2024\n")
    landing = tmp_path / "landing"
    code, out, _ = ingest(capsys, str(source), "--entity", "orders", "--landing-dir",
                          str(landing))  # fmt: skip
    assert code == 0
    assert "%d/%m/%Y" in out
    assert [row["ordered_at"] for row in landed(landing, "orders")] == [
        "2024-01-31 00:00:00",
        "2024-02-05 00:00:00",
    ]


def test_the_report_predicts_each_reject_reason(tmp_path: Path, capsys) -> None:
    source = tmp_path / "orders.csv"
    source.write_text(
        "order_id,customer_id,ordered_at,status\n"
        "O1,C1,2024-01-01,completed\n"
        "O1,C1,2024-01-01,completed\n"  # exact duplicate: dropped and counted
        ",C2,2024-01-02,completed\n"  # missing_key
        "O3,C3,yesterday,completed\n"  # unparseable:ordered_at
        "O4,C4,2024-01-04,shipped\n"  # out_of_range:status
        "O5,C5,2024-01-05,completed\n"  # duplicate_conflict (with the next row)
        "O5,C6,2024-01-05,completed\n"
        "O6,,2024-01-06,completed\n"  # missing_required:customer_id
    )
    code, out, _ = ingest(capsys, str(source), "--entity", "orders", "--dry-run",
                          "--landing-dir", str(tmp_path / "landing"))  # fmt: skip
    assert code == 0
    assert "8 rows: 1 staged, 1 exact duplicates dropped, 6 rejected" in out
    for line in [
        "1  missing_key", "1  unparseable:ordered_at", "1  out_of_range:status",
        "2  duplicate_conflict", "1  missing_required:customer_id",
    ]:  # fmt: skip
        assert line in out
    assert "dry run: nothing written" in out
    assert not (tmp_path / "landing").exists()


def test_order_lines_without_their_order_are_orphans(tmp_path: Path, capsys) -> None:
    landing = tmp_path / "landing"
    orders = tmp_path / "orders.csv"
    orders.write_text("order_id,customer_id,ordered_at\nO1,C1,2024-01-01\n")
    lines = tmp_path / "lines.csv"
    lines.write_text("order_id,product_id,quantity,unit_price\nO1,P1,1,2\nO9,P1,1,2\n")
    assert ingest(capsys, str(orders), "--entity", "orders", "--landing-dir", str(landing))[0] == 0
    code, out, _ = ingest(capsys, str(lines), "--entity", "order_items", "--landing-dir",
                          str(landing))  # fmt: skip
    assert code == 0
    assert "1  orphan" in out


def test_a_missing_required_column_changes_nothing(tmp_path: Path, capsys) -> None:
    landing = tmp_path / "landing"
    good = tmp_path / "orders.csv"
    good.write_text("order_id,customer_id,ordered_at\nO1,C1,2024-01-01\n")
    assert ingest(capsys, str(good), "--entity", "orders", "--landing-dir", str(landing))[0] == 0
    before = snapshot(landing)
    bad = tmp_path / "orders.csv"  # the same name: it would replace the landed file
    bad.write_text("order_id,when\nO2,2024-01-02\n")
    code, _, err = ingest(capsys, str(bad), "--entity", "orders", "--landing-dir",
                            str(landing))  # fmt: skip
    assert code == 1
    assert str(bad) in err
    assert "'customer_id'" in err
    assert "--map customer_id=<column>" in err
    assert "Traceback" not in err
    assert snapshot(landing) == before


@pytest.mark.parametrize(
    ("content", "message"),
    [("", "the file is empty"), ("\n\n", "the file is empty"),
     ("order_id,customer_id,ordered_at\n", "no data rows")],
)  # fmt: skip
def test_empty_and_header_only_files_are_refused(
    tmp_path: Path, capsys, content: str, message: str
) -> None:
    source = tmp_path / "orders.csv"
    source.write_text(content)
    code, _, err = ingest(capsys, str(source), "--entity", "orders", "--landing-dir",
                          str(tmp_path / "landing"))  # fmt: skip
    assert code == 1
    assert message in err and str(source) in err
    assert not (tmp_path / "landing").exists()


def test_unknown_entity_and_bad_map_are_refused(tmp_path: Path, capsys) -> None:
    source = tmp_path / "x.csv"
    source.write_text(PULSE)
    code, _, err = ingest(capsys, str(source), "--entity", "invoices")
    assert code == 1
    assert "unknown entity 'invoices'" in err and "transactions" in err
    code, _, err = ingest(capsys, str(source), "--entity", "transactions", "--map",
                          "customer_id=Client")  # fmt: skip
    assert code == 1
    assert "no column 'Client'" in err


def test_reingesting_a_file_replaces_it(tmp_path: Path, capsys) -> None:
    source = tmp_path / "sales.csv"
    source.write_text(PULSE)
    landing = tmp_path / "landing"
    for _ in range(2):
        assert ingest(capsys, str(source), "--entity", "transactions", "--landing-dir",
                      str(landing))[0] == 0  # fmt: skip
    assert len(landed(landing, "orders")) == 2
    assert not list(landing.rglob("*.tmp"))


def test_european_numbers_and_an_online_retail_export(tmp_path: Path, capsys) -> None:
    source = tmp_path / "retail.csv"
    source.write_text(
        "InvoiceNo;StockCode;Quantity;InvoiceDate;UnitPrice;CustomerID\n"
        "536365;85123A;6;12/1/2010 8:26;2,55;17850\n"
        "536365;71053;6;12/1/2010 8:26;1.003,39;17850\n"
        "C536379;D;-1;12/1/2010 9:41;27,50;14527\n"
        "536414;22139;56;12/1/2010 11:52;0;\n"
    )
    landing = tmp_path / "landing"
    code, out, _ = ingest(capsys, str(source), "--entity", "transactions", "--landing-dir",
                          str(landing))  # fmt: skip
    assert code == 0
    assert "unit_price         <- UnitPrice" in out
    prices = [row["unit_price"] for row in landed(landing, "order_items")]
    assert prices[:3] == ["2.55", "1003.39", "27.50"]
    # the order without a customer is rejected, so its line is reported as an orphan
    assert "1  missing_required:customer_id" in out
    assert "1  orphan" in out
    assert "1  out_of_range:quantity" in out


def test_bom_quoted_newlines_latin1_and_short_rows(tmp_path: Path, capsys) -> None:
    landing = tmp_path / "landing"
    files = {
        "bom.csv": b'\xef\xbb\xbfcustomer_id,full_name,city\nC1,"Smith, Anna",Paris\n'
        b'C2,"Multi\nLine",Berlin\n',
        "latin.csv": b"customer_id;full_name;city\nC3;Jos\xe9;M\xfcnchen\n",
        "short.csv": b"customer_id,full_name,city\nC4,Anna\nC5,Ben,Rome\n",
    }
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
        code, _, err = ingest(capsys, str(tmp_path / name), "--entity", "customers",
                              "--landing-dir", str(landing))  # fmt: skip
        assert code == 0, err
    rows = {row["customer_id"]: row for row in landed(landing, "customers")}
    assert rows["C1"]["full_name"] == "Smith, Anna"
    assert rows["C2"]["full_name"] == "Multi\nLine"
    assert (rows["C3"]["full_name"], rows["C3"]["city"]) == ("José", "München")
    assert rows["C4"]["city"] is None and rows["C5"]["city"] == "Rome"
