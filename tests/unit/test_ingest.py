"""`customer360 ingest`: reading, sniffing, mapping, the validation report, errors and
atomic writes. Each test lands into its own temporary landing directory."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from customer360.cli import main
from tests.helpers import CDNOW_MAPS

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
    code, out, _ = ingest(
        capsys, str(source), "--entity", "transactions", "--landing-dir", str(landing)
    )
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
        capsys, str(source), "--entity", "transactions", "--landing-dir", str(landing), *CDNOW_MAPS
    )
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
        delimiter.join(["Customer ID", "E-mail", "City"])
        + "\n"
        + delimiter.join(["C1", "a@example.com", "Paris, France"])
        + "\n"
    )
    landing = tmp_path / "landing"
    code, _, _ = ingest(capsys, str(source), "--entity", "customers", "--landing-dir", str(landing))
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
        code, _, _ = ingest(
            capsys, str(tmp_path / name), "--entity", "products", "--landing-dir", str(landing)
        )
        assert code == 0
    rows = landed(landing, "products")
    assert sorted((row["product_id"], row["product_name"]) for row in rows) == [
        ("P1", "Mug"),
        ("P1", "Mug"),
        ("P2", "Lamp"),
        ("P2", "Lamp"),
    ]
    assert sorted(row["_source_row"] for row in rows) == [1, 2, 2, 3]  # sheet rows 2-3


def test_day_first_dates_are_sniffed(tmp_path: Path, capsys) -> None:
    source = tmp_path / "orders.csv"
    source.write_text("order_id,customer_id,ordered_at\nO1,C1,31/01/2024\nO2,C1,05/02/2024\n")
    landing = tmp_path / "landing"
    code, out, _ = ingest(capsys, str(source), "--entity", "orders", "--landing-dir", str(landing))
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
        "O6,,2024-01-06,completed\n"  # no customer: an anonymous (guest) order, staged
        "O7,C7,,completed\n"  # missing_required:ordered_at
    )
    landing = tmp_path / "landing"
    code, out, _ = ingest(
        capsys, str(source), "--entity", "orders", "--dry-run", "--landing-dir", str(landing)
    )
    assert code == 0
    assert "9 rows: 2 staged, 1 exact duplicates dropped, 6 rejected" in out
    for line in [
        "1  missing_key",
        "1  unparseable:ordered_at",
        "1  out_of_range:status",
        "2  duplicate_conflict",
        "1  missing_required:ordered_at",
    ]:
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
    code, out, _ = ingest(
        capsys, str(lines), "--entity", "order_items", "--landing-dir", str(landing)
    )
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
    code, _, err = ingest(capsys, str(bad), "--entity", "orders", "--landing-dir", str(landing))
    assert code == 1
    assert str(bad) in err
    assert "'ordered_at'" in err
    assert "--map ordered_at=<column>" in err
    assert "Traceback" not in err
    assert snapshot(landing) == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "the file is empty"),
        ("\n\n", "the file is empty"),
        ("order_id,customer_id,ordered_at\n", "no data rows"),
    ],
)
def test_empty_and_header_only_files_are_refused(
    tmp_path: Path, capsys, content: str, message: str
) -> None:
    source = tmp_path / "orders.csv"
    source.write_text(content)
    code, _, err = ingest(
        capsys, str(source), "--entity", "orders", "--landing-dir", str(tmp_path / "landing")
    )
    assert code == 1
    assert message in err and str(source) in err
    assert not (tmp_path / "landing").exists()


def test_unknown_entity_and_bad_map_are_refused(tmp_path: Path, capsys) -> None:
    source = tmp_path / "x.csv"
    source.write_text(PULSE)
    code, _, err = ingest(capsys, str(source), "--entity", "invoices")
    assert code == 1
    assert "unknown entity 'invoices'" in err and "transactions" in err
    code, _, err = ingest(
        capsys, str(source), "--entity", "transactions", "--map", "customer_id=Client"
    )
    assert code == 1
    assert "no column 'Client'" in err


def test_reingesting_a_file_replaces_it(tmp_path: Path, capsys) -> None:
    source = tmp_path / "sales.csv"
    source.write_text(PULSE)
    landing = tmp_path / "landing"
    arguments = (str(source), "--entity", "transactions", "--landing-dir", str(landing))
    for _ in range(2):
        assert ingest(capsys, *arguments)[0] == 0
    assert len(landed(landing, "orders")) == 2
    assert not list(landing.rglob("*.tmp"))


def test_a_new_version_without_a_category_removes_its_products(tmp_path: Path, capsys) -> None:
    source, products = tmp_path / "sales.csv", tmp_path / "exports" / "sales.csv"
    products.parent.mkdir()
    landing = tmp_path / "landing"
    source.write_text(PULSE)
    assert (
        ingest(capsys, str(source), "--entity", "transactions", "--landing-dir", str(landing))[0]
        == 0
    )
    assert (landing / "products" / "sales.parquet").is_file()
    source.write_text(
        PULSE.replace(",ProductCategory", "").replace(",Electronics", "").replace(",Clothing", "")
    )
    code, out, _ = ingest(
        capsys, str(source), "--entity", "transactions", "--landing-dir", str(landing)
    )
    assert code == 0
    assert f"removed:  {landing / 'products' / 'sales.parquet'}" in out
    assert sorted(str(p.relative_to(landing)) for p in landing.rglob("*.parquet")) == [
        "order_items/sales.parquet",
        "orders/sales.parquet",
    ]
    # a file of the same stem landed by another kind of ingest is not this one's to remove
    products.write_text("product_id,product_name\nP1,Lamp\n")
    assert (
        ingest(capsys, str(products), "--entity", "products", "--landing-dir", str(landing))[0] == 0
    )
    assert (
        ingest(capsys, str(source), "--entity", "transactions", "--landing-dir", str(landing))[0]
        == 0
    )
    assert [row["product_id"] for row in landed(landing, "products")] == ["P1"]
    assert [p.name for p in landing.iterdir() if p.name.startswith(".")] == []


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
    code, out, _ = ingest(
        capsys, str(source), "--entity", "transactions", "--landing-dir", str(landing)
    )
    assert code == 0
    assert "unit_price         <- UnitPrice" in out
    prices = [row["unit_price"] for row in landed(landing, "order_items")]
    assert prices[:3] == ["2.55", "1003.39", "27.50"]
    # the invoice without a customer is a guest order, and the cancellation's negative
    # quantity a returned line: nothing is rejected
    assert "orders                3 rows: 3 staged, 0 exact duplicates dropped, 0 rejected" in out
    assert "order_items           4 rows: 4 staged, 0 exact duplicates dropped, 0 rejected" in out
    assert [row["quantity"] for row in landed(landing, "order_items")][2] == "-1"


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
        code, _, err = ingest(
            capsys, str(tmp_path / name), "--entity", "customers", "--landing-dir", str(landing)
        )
        assert code == 0, err
    rows = {row["customer_id"]: row for row in landed(landing, "customers")}
    assert rows["C1"]["full_name"] == "Smith, Anna"
    assert rows["C2"]["full_name"] == "Multi\nLine"
    assert (rows["C3"]["full_name"], rows["C3"]["city"]) == ("José", "München")
    assert rows["C4"]["city"] is None and rows["C5"]["city"] == "Rome"


def test_messy_transactions_report_every_reason(tmp_path: Path, capsys) -> None:
    source = tmp_path / "messy.csv"
    source.write_text(
        "order_id,line,customer,date,product,qty,price\n"
        "O1,1,C1,2024-01-01,P1,1,10\n"  # staged
        "O1,1,C1,2024-01-01,P1,1,10\n"  # exact duplicate line (the same order row)
        ",1,C2,2024-01-02,P1,1,10\n"  # missing_key
        "O3,1,C3,someday,P1,1,10\n"  # unparseable:ordered_at; its line says so
        "O4,1,C4,2024-01-04,P1,-2,10\n"  # a returned line, staged
        "O5,1,C5,2024-01-05,P1,1,10\n"  # duplicate_conflict (same line, other product)
        "O5,1,C5,2024-01-05,P2,1,10\n"
    )
    landing = tmp_path / "landing"
    code, out, _ = ingest(
        capsys, str(source), "--entity", "transactions", "--dry-run", "--landing-dir", str(landing)
    )
    assert code == 0
    assert "orders                5 rows: 3 staged, 0 exact duplicates dropped, 2 rejected" in out
    assert "order_items           7 rows: 2 staged, 1 exact duplicates dropped, 4 rejected" in out
    for line in [
        "1  missing_key",
        "1  unparseable:ordered_at",
        "1  order_rejected:unparseable:ordered_at",
        "2  duplicate_conflict",
    ]:
        assert line in out
    assert "dry run: nothing written" in out
    assert not landing.exists()


def test_line_numbers_count_blank_lines_and_quoted_line_breaks(tmp_path: Path, capsys) -> None:
    source = tmp_path / "people.csv"
    source.write_text(
        "customer_id,full_name,city\n"  # line 1
        "C1,Anna,Paris\n"  # line 2
        "\n"  # line 3
        'C2,"Two\nLines",Berlin\n'  # lines 4-5
        "C3,Bob,Rome\n"  # line 6
        "\n\n"
    )
    landing = tmp_path / "landing"
    code, _, err = ingest(
        capsys, str(source), "--entity", "customers", "--landing-dir", str(landing)
    )
    assert code == 0, err
    rows = landed(landing, "customers")
    assert [(row["customer_id"], row["_source_row"]) for row in rows] == [
        ("C1", 2),
        ("C2", 4),
        ("C3", 6),
    ]
    assert rows[1]["full_name"] == "Two\nLines"


def test_whitespace_file_with_a_header_after_a_blank_line(tmp_path: Path, capsys) -> None:
    source = tmp_path / "purchases.txt"
    source.write_text(
        "\n"
        "CustID   Date       Qty  Amount\n"
        "00001    19970101   2    11.77\n"
        "\n"
        "\t00002  19970112   1    12.00  \n"
    )
    landing = tmp_path / "landing"
    code, out, err = ingest(
        capsys, str(source), "--entity", "transactions", "--landing-dir", str(landing)
    )
    assert code == 0, err
    assert "whitespace-separated, header: yes" in out
    lines = landed(landing, "order_items")
    assert [(row["order_id"], row["_source_row"]) for row in lines] == [
        ("00001-19970101000000", 3),
        ("00002-19970112000000", 5),
    ]
    assert float(lines[0]["unit_price"]) == pytest.approx(5.885)


def test_events_with_revenue_also_become_orders(tmp_path: Path, capsys) -> None:
    source = tmp_path / "telecom.csv"
    source.write_text(
        "CustomerID,EventDate,EventType,RevenueImpact\n"
        "C1,2024-01-05 10:00,login,0\n"
        'C1,2024-01-06 11:00,Payment,"1,234.50"\n'
        "C2,2024-01-06 12:00,billing_complaint,\n"
        "C2,2024-01-07 09:30,payment,-5\n"
    )
    landing = tmp_path / "landing"
    code, out, _ = ingest(capsys, str(source), "--entity", "events", "--landing-dir", str(landing))
    assert code == 0
    assert "events with a positive amount also land as orders + order_items" in out
    assert len(landed(landing, "events")) == 4
    [order] = landed(landing, "orders")
    assert order["order_id"] == "EV-C1-20240106110000-payment"
    assert (order["customer_id"], order["ordered_at"]) == ("C1", "2024-01-06 11:00:00")
    [line] = landed(landing, "order_items")
    assert (line["product_id"], line["quantity"], line["_source_row"]) == ("payment", "1", 3)
    assert float(line["unit_price"]) == pytest.approx(1234.5)


def test_order_lines_without_a_line_number_are_numbered_like_staging(
    tmp_path: Path, capsys
) -> None:
    landing = tmp_path / "landing"
    orders = tmp_path / "orders.csv"
    orders.write_text("order_id,customer_id,ordered_at\nO1,C1,2024-01-01\n")
    lines = tmp_path / "lines.csv"
    lines.write_text("order_id,product_id,quantity,unit_price\nO1,P1,1,2\nO1,P1,1,2\n")
    code, out, _ = ingest(
        capsys, str(lines), "--entity", "order_items", "--dry-run", "--landing-dir", str(landing)
    )
    assert code == 0
    assert "no orders are landed yet" in out
    assert "2  orphan" in out
    assert ingest(capsys, str(orders), "--entity", "orders", "--landing-dir", str(landing))[0] == 0
    code, out, _ = ingest(
        capsys, str(lines), "--entity", "order_items", "--landing-dir", str(landing)
    )
    # staging numbers blank line numbers per order (1, 2): two lines, not a duplicate
    assert "order_items           2 rows: 2 staged, 0 exact duplicates dropped" in out


def test_dates_with_and_without_a_time_and_the_month_first_tie(tmp_path: Path, capsys) -> None:
    source = tmp_path / "orders.csv"
    source.write_text("order_id,customer_id,ordered_at\nO1,C1,03/04/2024\nO2,C1,05/06/2024 10:30\n")
    landing = tmp_path / "landing"
    code, out, _ = ingest(capsys, str(source), "--entity", "orders", "--landing-dir", str(landing))
    assert code == 0
    assert "(dates: %m/%d/%Y; ambiguous: no day above 12, read month-first" in out
    assert [row["ordered_at"] for row in landed(landing, "orders")] == [
        "2024-03-04 00:00:00",
        "2024-05-06 10:30:00",
    ]
    code, out, _ = ingest(
        capsys,
        str(source),
        "--entity",
        "orders",
        "--landing-dir",
        str(landing),
        "--date-format",
        "%d/%m/%Y",
    )
    assert code == 0
    assert [row["ordered_at"] for row in landed(landing, "orders")] == [
        "2024-04-03 00:00:00",
        "2024-06-05 10:30:00",
    ]


def test_a_day_above_twelve_late_in_a_big_file_decides_day_first(tmp_path: Path, capsys) -> None:
    rows = [f"O{i},C1,0{1 + i % 9}/01/2024" for i in range(5000)] + ["O9999,C1,13/01/2024"]
    source = tmp_path / "orders.csv"
    source.write_text("order_id,customer_id,ordered_at\n" + "\n".join(rows) + "\n")
    landing = tmp_path / "landing"
    code, out, _ = ingest(
        capsys, str(source), "--entity", "orders", "--dry-run", "--landing-dir", str(landing)
    )
    assert code == 0
    assert "(dates: %d/%m/%Y)" in out
    assert "5,001 rows: 5,001 staged" in out


def test_currency_signs_and_thousands_separators(tmp_path: Path, capsys) -> None:
    source = tmp_path / "sales.csv"
    source.write_text(
        "CustomerID,TransactionDate,TransactionAmount,Quantity\n"
        'C1,2024-01-01,"$1,234.50",1\n'
        'C2,2024-01-02,€ 12.5,"1,000"\n'
        "C3,2024-01-03,about 3,1\n"
    )
    landing = tmp_path / "landing"
    code, out, _ = ingest(
        capsys, str(source), "--entity", "transactions", "--landing-dir", str(landing)
    )
    assert code == 0
    lines = landed(landing, "order_items")
    assert [line["quantity"] for line in lines] == ["1", "1000", "1"]
    assert float(lines[0]["unit_price"]) == pytest.approx(1234.5)
    assert float(lines[1]["unit_price"]) == pytest.approx(0.0125)
    assert lines[2]["unit_price"] == "about 3"  # kept raw: staging rejects it with the value
    assert "1  unparseable:unit_price" in out


def test_headerless_file_error_says_how_columns_are_named(tmp_path: Path, capsys) -> None:
    source = tmp_path / "CDNOW_sample.txt"
    source.write_text("00001 19970101  1  11.77\n")
    code, _, err = ingest(
        capsys, str(source), "--entity", "transactions", "--landing-dir", str(tmp_path / "landing")
    )
    assert code == 1
    assert str(source) in err and "'ordered_at'" in err
    assert "no header row" in err and "--map customer_id=column1" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--date-format", "%Q"], "--date-format '%Q'"),
        (["--sheet", "Sales"], "--sheet applies to Excel files only"),
        (["--map", "price=TransactionAmount"], "transactions has no column 'price'"),
    ],
)
def test_bad_options_are_refused(tmp_path: Path, capsys, args: list[str], message: str) -> None:
    source = tmp_path / "sales.csv"
    source.write_text(PULSE)
    code, _, err = ingest(
        capsys,
        str(source),
        "--entity",
        "transactions",
        *args,
        "--landing-dir",
        str(tmp_path / "landing"),
    )
    assert code == 1
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "landing").exists()


def test_unreadable_files_are_refused_with_the_file_name(tmp_path: Path, capsys) -> None:
    broken = tmp_path / "orders.parquet"
    broken.write_bytes(b"not a parquet file at all")
    code, _, err = ingest(
        capsys, str(broken), "--entity", "orders", "--landing-dir", str(tmp_path / "landing")
    )
    assert code == 1
    assert f"{broken}: cannot read as Parquet" in err
    code, _, err = ingest(capsys, str(tmp_path / "missing.csv"), "--entity", "orders")
    assert code == 1 and "no such file" in err


def test_unmapped_columns_are_reported_as_ignored(tmp_path: Path, capsys) -> None:
    source = tmp_path / "sales.csv"
    source.write_text(
        PULSE.replace("Quantity\n", "Quantity,Notes\n")
        .replace(",1\n", ",1,x\n")
        .replace(",2\n", ",2,y\n")
    )
    landing = tmp_path / "landing"
    code, out, _ = ingest(
        capsys, str(source), "--entity", "transactions", "--dry-run", "--landing-dir", str(landing)
    )
    assert code == 0
    assert "ignored:  Notes (no contract column)" in out


def test_an_excel_sheet_by_name(tmp_path: Path, capsys) -> None:
    workbook = tmp_path / "crm.xlsx"
    with pd.ExcelWriter(workbook) as writer:
        pd.DataFrame({"x": [1]}).to_excel(writer, sheet_name="Notes", index=False)
        pd.DataFrame(
            {"Client ID": ["K1", "K2"], "Signup Date": ["31.01.2024", "01.02.2024"]}
        ).to_excel(writer, sheet_name="Customers", index=False)
    landing = tmp_path / "landing"
    code, out, err = ingest(
        capsys,
        str(workbook),
        "--entity",
        "customers",
        "--sheet",
        "Customers",
        "--landing-dir",
        str(landing),
    )
    assert code == 0, err
    assert "(dates: %d.%m.%Y)" in out
    rows = landed(landing, "customers")
    assert [(r["customer_id"], r["signup_date"], r["_source_row"]) for r in rows] == [
        ("K1", "2024-01-31", 2),
        ("K2", "2024-02-01", 3),
    ]
    code, _, err = ingest(
        capsys,
        str(workbook),
        "--entity",
        "customers",
        "--sheet",
        "Nope",
        "--landing-dir",
        str(landing),
    )
    assert code == 1 and f"{workbook}: cannot read as Excel" in err


def test_a_second_file_with_the_same_keys_is_predicted_across_files(tmp_path: Path, capsys) -> None:
    landing = tmp_path / "landing"
    first = tmp_path / "orders_a.csv"
    first.write_text("order_id,customer_id,ordered_at\nO1,C1,2024-01-01\nO2,C2,2024-01-02\n")
    second = tmp_path / "orders_b.csv"
    second.write_text("order_id,customer_id,ordered_at\nO1,C1,2024-01-01\nO2,C9,2024-01-02\n")
    assert ingest(capsys, str(first), "--entity", "orders", "--landing-dir", str(landing))[0] == 0
    code, out, _ = ingest(capsys, str(second), "--entity", "orders", "--landing-dir", str(landing))
    assert code == 0
    assert "2 rows: 0 staged, 1 exact duplicates dropped, 1 rejected" in out
    assert "1 orders rows already landed from other files share a key" in out
    # re-ingesting the first file replaces it, so it is not compared with itself
    code, out, _ = ingest(capsys, str(first), "--entity", "orders", "--landing-dir", str(landing))
    assert "2 rows: 1 staged, 0 exact duplicates dropped, 1 rejected" in out


def test_a_latin1_byte_after_the_first_64_kib_still_reads_as_latin1(tmp_path: Path, capsys) -> None:
    body = "".join(f"O{i},C{i},2024-01-01,S{i}\n" for i in range(3000))  # about 75 KiB
    source = tmp_path / "orders.csv"
    source.write_bytes(
        ("order_id,customer_id,ordered_at,store_id\n" + body).encode()
        + "O9999,C9,2024-01-02,Caf\u00e9\n".encode("latin-1")
    )
    landing = tmp_path / "landing"
    code, out, err = ingest(
        capsys, str(source), "--entity", "orders", "--landing-dir", str(landing)
    )
    assert code == 0, err
    assert "3,001 rows: 3,001 staged" in out
    assert landed(landing, "orders")[-1]["store_id"] == "Café"


def test_a_retail_export_with_returns_guests_and_split_times(tmp_path: Path, capsys) -> None:
    """Lines of one invoice a minute apart are one order with the earliest time; negative
    quantities are returned lines, not rejects; a line without a customer is a guest order;
    two customers on one invoice are the only conflict, reported with both, and its lines
    say why they are rejected."""
    source = tmp_path / "retail.csv"
    source.write_text(
        "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID\n"
        "1,A,LANTERN,6,2010-12-01 08:27,2.55,17850\n"
        "1,B,HEART,6,2010-12-01 08:26,3.39,17850\n"
        "C2,A,LANTERN,-2,2010-12-02 09:00,2.55,17850\n"
        "3,A,LANTERN,1,2010-12-02 10:00,2.55,\n"
        "4,A,LANTERN,1,2010-12-03 10:00,2.55,13047\n"
        "4,B,HEART,1,2010-12-03 10:00,3.39,13048\n"
    )
    landing = tmp_path / "landing"
    code, out, _ = ingest(
        capsys, str(source), "--entity", "transactions", "--landing-dir", str(landing)
    )
    assert code == 0
    orders = {(row["order_id"], row["customer_id"]): row for row in landed(landing, "orders")}
    assert set(orders) == {
        ("1", "17850"),
        ("C2", "17850"),
        ("3", None),
        ("4", "13047"),
        ("4", "13048"),
    }
    assert orders[("1", "17850")]["ordered_at"] == "2010-12-01 08:26:00"
    assert [row["quantity"] for row in landed(landing, "order_items")] == [
        "6",
        "6",
        "-2",
        "1",
        "1",
        "1",
    ]
    products = {row["product_id"]: row["product_name"] for row in landed(landing, "products")}
    assert products == {"A": "LANTERN", "B": "HEART"}
    assert "5 rows: 3 staged, 0 exact duplicates dropped, 2 rejected" in out  # orders
    assert "2  duplicate_conflict" in out
    assert "6 rows: 4 staged, 0 exact duplicates dropped, 2 rejected" in out  # lines
    assert "2  order_rejected:duplicate_conflict" in out


def test_a_basket_file_without_prices_needs_no_map(tmp_path: Path, capsys) -> None:
    source = tmp_path / "Groceries_dataset.csv"
    source.write_text(
        "Member_number,Date,itemDescription\n1808,21-07-2015,tropical fruit\n"
        "1808,21-07-2015,whole milk\n2552,05-01-2015,whole milk\n"
    )
    landing = tmp_path / "landing"
    code, out, _ = ingest(
        capsys, str(source), "--entity", "transactions", "--landing-dir", str(landing)
    )
    assert code == 0
    assert "customer_id        <- Member_number" in out
    assert "product_id         <- itemDescription" in out
    assert "no price or amount column (a basket-only file)" in out
    lines = landed(landing, "order_items")
    assert [(row["order_id"], row["unit_price"]) for row in lines] == [
        ("1808-20150721000000", None),
        ("1808-20150721000000", None),
        ("2552-20150105000000", None),
    ]


def test_a_negative_line_total_is_a_returned_line(tmp_path: Path, capsys) -> None:
    source = tmp_path / "refunds.csv"
    source.write_text("customer_id,date,amount\nC1,2024-01-01,30.00\nC1,2024-01-05,-12.50\n")
    landing = tmp_path / "landing"
    code, out, _ = ingest(
        capsys, str(source), "--entity", "transactions", "--landing-dir", str(landing)
    )
    assert code == 0
    lines = [(row["quantity"], row["unit_price"]) for row in landed(landing, "order_items")]
    assert lines == [("1", "30.0000"), ("-1", "12.5000")]
    assert "2 rows: 2 staged" in out


def test_email_events_without_campaign_ids(tmp_path: Path, capsys) -> None:
    source = tmp_path / "email.csv"
    source.write_text("customer_id,event_at,event_type\nC1,2024-01-01 10:00,open\n")
    landing = tmp_path / "landing"
    code, out, _ = ingest(
        capsys, str(source), "--entity", "email_events", "--landing-dir", str(landing)
    )
    assert code == 0
    assert "1 rows: 1 staged" in out
    assert landed(landing, "email_events")[0]["campaign_id"] is None


def test_a_group_column_becomes_the_control_flag(tmp_path: Path, capsys) -> None:
    """A campaign export's `Group` column (control / treatment) maps onto is_control;
    a value that is neither stays as it is and is rejected by staging's check."""
    source = tmp_path / "contacts.csv"
    source.write_text(
        "Campaign ID,Customer ID,Contact Date,Group\n"
        "K1,C1,2024-01-01,Control\n"
        "K1,C2,2024-01-01, treatment \n"
        "K1,C3,2024-01-01,holdout\n"
        "K1,C4,2024-01-01,\n"
        "K1,C5,2024-01-01,maybe\n"
    )
    landing = tmp_path / "landing"
    code, out, _ = ingest(
        capsys, str(source), "--entity", "campaign_contacts", "--landing-dir", str(landing)
    )
    assert code == 0
    assert "is_control" in out and "Group" in out
    flags = {row["customer_id"]: row["is_control"] for row in landed(landing, "campaign_contacts")}
    assert flags == {"C1": "true", "C2": "false", "C3": "true", "C4": None, "C5": "maybe"}
    assert "5 rows: 4 staged" in out and "unparseable:is_control" in out
