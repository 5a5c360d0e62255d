"""A user's own files — a flat e-commerce CSV and a headerless whitespace-separated file
with compact dates — are ingested and built without editing any code."""

from __future__ import annotations

from pathlib import Path

import pytest

from customer360 import ingest
from tests.helpers import CDNOW_MAPS, Build, run_cli, run_dbt

pytestmark = pytest.mark.integration

PULSE_CSV = """\
CustomerID,TransactionDate,TransactionAmount,ProductCategory,Quantity
CUST_001,2024-01-15,150.00,Electronics,1
CUST_002,2024-01-16,75.50,Clothing,2
CUST_001,2024-02-20,30.00,Clothing,3
CUST_003,2024-03-01,12.00,Books,1
CUST_002,2024-03-05,80.00,Electronics,2
CUST_003,2024-03-09,,Books,1
"""

# The CDNOW layout: customer, yyyymmdd date, quantity, amount; no header, runs of spaces.
CDNOW_TXT = """\
00001 19970101  1  11.77
00002 19970112  1  12.00
00002 19970112  5  77.00
00003 19970102  2  20.76
00003 19970330  2  20.76
00003 19970402  2  19.54
00004 19970101  2  29.33
"""


# Orders with one problem per row; the ingest report must predict what staging does.
MESSY_ORDERS = """\
Order No;Customer;Order Date;Status
A1;K1;03/02/2024;completed
A1;K1;03/02/2024;completed
;K2;04/02/2024;completed
A3;K3;someday;completed
A4;K4;05/02/2024;lost
A5;K5;06/02/2024;completed
A5;K6;06/02/2024;completed
A6;;07/02/2024;completed
A7;K7;30/01/2024;
"""

REPORTS: dict[str, ingest.Report] = {}


@pytest.fixture(scope="module")
def user_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    work = tmp_path_factory.mktemp("user_files")
    landing = work / "landing"
    pulse = work / "pulse_transactions.csv"
    pulse.write_text(PULSE_CSV)
    cdnow = work / "CDNOW_sample.txt"
    cdnow.write_text(CDNOW_TXT)

    result = run_cli(
        "ingest", str(pulse), "--entity", "transactions", "--landing-dir", str(landing)
    )
    assert result.returncode == 0, result.stderr
    result = run_cli(
        "ingest", str(cdnow), "--entity", "transactions", "--landing-dir", str(landing), *CDNOW_MAPS
    )
    assert result.returncode == 0, result.stderr

    messy = work / "messy_orders.csv"
    messy.write_text(MESSY_ORDERS)
    REPORTS["messy"] = ingest.ingest(messy, "orders", [], None, None, landing)

    build = run_dbt(Build(landing, work / "warehouse.duckdb", work / "target"), "build")
    assert build.returncode == 0, build.output[-5000:]
    return build


def test_both_files_become_orders_and_lines(user_build: Build) -> None:
    customers = dict(user_build.query("select customer_id, frequency from marts.customer_metrics"))
    assert customers["CUST_001"] == 2
    assert customers["CUST_002"] == 2
    assert customers["00003"] == 3
    # two CDNOW lines of customer 00002 on the same day are one order with two lines
    assert customers["00002"] == 1


def test_amounts_and_dates_survive_the_mapping(user_build: Build) -> None:
    [(monetary,)] = user_build.query(
        "select monetary from marts.customer_metrics where customer_id = '00002'"
    )
    assert float(monetary) == pytest.approx(89.00)
    [(first_purchase,)] = user_build.query(
        "select cast(first_purchase_date as varchar) from marts.customer_metrics "
        "where customer_id = '00001'"
    )
    assert first_purchase == "1997-01-01"


def test_the_row_without_an_amount_is_rejected_with_its_line(user_build: Build) -> None:
    rejects = user_build.query(
        "select source_file, source_row, reject_reason from marts.rejected_rows"
    )
    pulse = [
        (row, reason) for file, row, reason in rejects if file.endswith("pulse_transactions.csv")
    ]
    assert pulse == [(7, "missing_required:unit_price")]
    assert {Path(file).name for file, _, _ in rejects} == {
        "pulse_transactions.csv",
        "messy_orders.csv",
    }


def test_the_ingest_report_predicted_what_staging_did(user_build: Build) -> None:
    predicted = REPORTS["messy"].counts["orders"]
    actual = dict(
        user_build.query(
            "select coalesce(reject_reason, row_outcome), count(*) from staging.base_orders "
            "where _source_file like '%messy_orders.csv' group by all"
        )
    )
    assert predicted == actual
    assert actual == {
        # A1 and A7 (day-first dates sniffed from 30/01/2024), and A6 without a customer:
        # an anonymous (guest) order
        "staged": 3,
        "duplicate": 1,
        "missing_key": 1,
        "unparseable:ordered_at": 1,
        "out_of_range:status": 1,
        "duplicate_conflict": 2,
    }


def test_orders_without_any_landed_line_are_a_warning(user_build: Build) -> None:
    # messy_orders.csv lands orders only: its staged orders have no line in any file
    assert "WARN 3 warn_orders_without_landed_lines" in user_build.output
    [(file, orders, first)] = user_build.query(
        "select * from dbt_test__audit.warn_orders_without_landed_lines"
    )
    assert (Path(file).name, orders, first) == ("messy_orders.csv", 3, "A1")
