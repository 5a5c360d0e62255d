"""`customer360 validate`: the runner on small hand-made frames, landing zones and serving
files — batches combined, severities, exit codes, stored results."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest

from customer360 import contract
from customer360.cli import main
from customer360.quality import runner, suites, validate
from customer360.quality.suites import CRITICAL, WARNING, Suite
from tests.helpers import PROJECT_DIR

RUN_TIME = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


def run(suite_list: list[Suite], connection, batch_rows: int = runner.BATCH_ROWS):
    connections = {"landing": connection, "serving": connection}
    return runner.run_suites(suite_list, connections, "test", RUN_TIME, batch_rows=batch_rows)


def by_name(results) -> dict[str, runner.Result]:
    return {f"{r.suite.table}:{r.check.name}": r for r in results}


def test_batches_are_combined_counts_summed_and_samples_keyed() -> None:
    connection = duckdb.connect()
    connection.execute(
        "create table scores as select 'c' || i as customer_id, "
        "case when i in (2, 7) then 1.5 else i / 10 end as probability from range(9) as t(i)"
    )
    suite = Suite(
        "churn",
        "scores",
        "serving",
        "select customer_id, probability from scores order by customer_id",
        (
            suites.between("in_0_1", "probability", 0, 1),
            suites.between("below_2", "probability", high=2, severity=WARNING),
        ),
        key="customer_id",
    )
    results = by_name(run([suite], connection, batch_rows=4))  # 3 batches: 4 + 4 + 1
    failed = results["scores:in_0_1"]
    assert failed.batches == 3
    assert not failed.success
    assert failed.unexpected_count == 2
    assert failed.element_count == 9
    assert failed.samples == ["c2: 1.5", "c7: 1.5"]
    assert failed.observed_value == "2 unexpected of 9: c2: 1.5; c7: 1.5"
    passed = results["scores:below_2"]
    assert passed.success and passed.unexpected_count == 0 and passed.batches == 3


def test_an_unreadable_table_fails_every_check_of_its_suite() -> None:
    suite = Suite(
        "rfm",
        "missing",
        "serving",
        "select r_score from marts.customer_rfm",
        (suites.between("r_score_between_1_and_5", "r_score", 1, 5),),
    )
    [result] = run([suite], duckdb.connect())
    assert not result.success
    assert result.observed_value.startswith("error: cannot read missing:")


@pytest.mark.parametrize(
    ("band", "probability", "ok"),
    [
        ("low", 0.0, True),
        ("low", 0.3, False),
        ("medium", 0.3, True),
        ("medium", 0.7, True),
        ("high", 0.7, False),
        ("high", 0.7001, True),
        ("medium", 0.71, False),
        ("high", 1.0, True),
    ],
)
def test_risk_bands_follow_the_seed_limits(band: str, probability: float, ok: bool) -> None:
    rules = suites.Rules.load(PROJECT_DIR, validate.project_vars(PROJECT_DIR))
    checks = suites.risk_band_checks(rules)
    connection = duckdb.connect()
    connection.execute(
        "create table bands as select 'c1' as customer_id, ? as risk_band, ? as churn_probability",
        [band, probability],
    )
    suite = Suite("churn", "bands", "serving", "select * from bands", tuple(checks), "customer_id")
    outcome = {r.check.name: r.success for r in run([suite], connection)}
    assert outcome[f"risk_band_{band}_matches_probability"] is ok
    assert all(outcome.values()) is ok


def land(landing: Path, entity: str, frame: pd.DataFrame, fmt: str = "parquet") -> None:
    (landing / entity).mkdir(parents=True, exist_ok=True)
    if fmt == "parquet":
        frame.to_parquet(landing / entity / "part.parquet", index=False)
    else:
        frame.to_csv(landing / entity / "part.csv", index=False)


def landing_results(landing: Path, as_of: dt.date) -> dict[str, runner.Result]:
    connection = duckdb.connect()
    suite_list = suites.landing_suites(connection, landing, contract.load(), as_of)
    return by_name(run(suite_list, connection))


def test_landing_required_columns_and_types_are_critical(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    land(landing, "orders", pd.DataFrame({"order_id": ["o1"], "customer_id": [True]}))
    land(
        landing,
        "order_items",
        pd.DataFrame({"order_id": ["o1"], "quantity": [1], "unit_price": [2.5]}),
    )
    results = landing_results(landing, dt.date(2025, 1, 1))
    required = results["orders.columns:orders_has_required_columns"]
    assert (required.success, required.check.severity) == (False, CRITICAL)
    assert required.observed_value == "missing: ordered_at"
    typed = results["orders.columns:customer_id_type_is_text"]
    assert (typed.success, typed.check.severity) == (False, CRITICAL)
    assert typed.observed_value == "1 unexpected of 1: customer_id: BOOLEAN"
    assert results["order_items.columns:order_items_has_required_columns"].success
    assert results["order_items:order_items_has_rows"].observed_value == "1 rows"


def test_landing_row_problems_and_future_orders_are_warnings(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    orders = pd.DataFrame(
        {
            "order_id": ["o1", "o2", "o3", "o4"],
            "customer_id": ["c1", "c1", None, "c2"],
            "ordered_at": [
                "2024-05-01 10:00:00",
                "yesterday",
                "2024-12-31 23:59:59",
                "2025-03-01 09:00:00",
            ],
            "status": ["completed", "COMPLETED", "lost", "returned"],
        }
    )
    land(landing, "orders", orders, fmt="csv")
    # o3 has no customer (a guest order) and a returned line (-1): neither is a problem
    items = pd.DataFrame(
        {
            "order_id": ["o1", "o2", "o3"],
            "quantity": ["1.5", "0", "-1"],
            "unit_price": ["2.5", "x", "2"],
        }
    )
    land(landing, "order_items", items, fmt="csv")
    results = landing_results(landing, dt.date(2025, 1, 1))
    failed = {name: r for name, r in results.items() if not r.success}
    assert {name: r.check.severity for name, r in failed.items()} == {
        "orders:ordered_at_parses_as_timestamp": WARNING,
        "orders:status_in_accepted_values": WARNING,
        "orders:no_orders_after_as_of_date": WARNING,
        "order_items:quantity_parses_as_integer": WARNING,  # 1.5 is not rounded to 2
        "order_items:quantity_not_zero": WARNING,
        "order_items:unit_price_parses_as_decimal": WARNING,
    }
    assert failed["orders:ordered_at_parses_as_timestamp"].samples == ["yesterday"]
    assert failed["orders:status_in_accepted_values"].samples == ["lost"]  # COMPLETED is fine
    assert failed["orders:no_orders_after_as_of_date"].unexpected_count == 1
    assert failed["order_items:quantity_not_zero"].samples == ["0.0"]  # int with nulls: float
    assert failed["order_items:quantity_parses_as_integer"].samples == ["1.5"]


@pytest.fixture
def serving(tmp_path: Path) -> Path:
    """A hand-made serving copy: publish_info and one churn table."""
    folder = tmp_path / "serving"
    folder.mkdir()
    with duckdb.connect(str(folder / "customer360.duckdb")) as connection:
        connection.execute(
            "create table publish_info as select date '2025-01-01' as as_of_date, "
            "1 as tables, 3 as total_rows"
        )
        connection.execute("create schema marts")
        connection.execute(
            "create table marts.churn_predictions as select * from (values "
            "('c1', 0.2, 'low'), ('c2', 0.5, 'medium'), ('c3', 0.9, 'high')) "
            "as t(customer_id, churn_probability, risk_band)"
        )
    return folder


def churn_suite(severity: str) -> Suite:
    return Suite(
        "churn",
        "churn_predictions",
        "serving",
        "select customer_id, churn_probability from marts.churn_predictions",
        (
            suites.between(
                "churn_probability_below_0_8",
                "churn_probability",
                0,
                0.8,
                severity=severity,
                advice="lower it",
            ),
        ),
        key="customer_id",
    )


def test_a_failed_critical_expectation_exits_1_and_names_it(serving, tmp_path, capsys) -> None:
    out = tmp_path / "quality"
    results, _ = validate.validate(
        serving, tmp_path / "landing", out, {}, quiet=True, suite_list=[churn_suite(CRITICAL)]
    )
    assert validate.report(results, out) == 1
    captured = capsys.readouterr()
    assert "1 critical expectation(s) failed" in captured.err
    assert (
        "churn / churn_predictions.churn_probability: churn_probability_below_0_8 — "
        "observed 1 unexpected of 3: c3: 0.9" in captured.err
    )
    assert "what to do: lower it" in captured.err
    assert "churn                       1       0                1                0" in captured.out
    assert "Traceback" not in captured.err


def test_a_failed_warning_exits_0_and_is_stored(serving, tmp_path, capsys) -> None:
    out = tmp_path / "quality"
    suite_list = [churn_suite(WARNING)]
    results, run_id = validate.validate(
        serving, tmp_path / "landing", out, {}, quiet=True, suite_list=suite_list
    )
    assert validate.report(results, out) == 0
    assert "warning: churn / churn_predictions.churn_probability" in capsys.readouterr().err
    [row] = pq.read_table(out / "validation_results.parquet").to_pylist()
    assert row == {
        "run_id": run_id,
        "as_of_date": dt.date(2025, 1, 1),
        "suite": "churn",
        "table_name": "churn_predictions",
        "expectation": "churn_probability_below_0_8",
        "column_name": "churn_probability",
        "severity": "warning",
        "success": False,
        "observed_value": "1 unexpected of 3: c3: 0.9",
        "unexpected_count": 1,
        "details": 'ExpectColumnValuesToBeBetween({"column": "churn_probability", "min_value": 0, '
        '"strict_min": false, "max_value": 0.8, "strict_max": false}); e.g. c3: 0.9',
    }
    assert (out / "data_docs" / "index.html").is_file()
    # the same build and suites give the same run id; a rerun replaces its own rows
    _, again = validate.validate(
        serving, tmp_path / "landing", out, {}, quiet=True, suite_list=suite_list
    )
    assert again == run_id
    with duckdb.connect(str(out / "validation.duckdb"), read_only=True) as connection:
        assert connection.execute(
            "select run_id, count(*) from validation_results group by all"
        ).fetchall() == [(run_id, 1)]
    assert not [path for path in out.iterdir() if path.name.startswith(".")]


def test_a_missing_serving_copy_is_refused_without_traceback(tmp_path, capsys) -> None:
    code = main(
        ["validate", "--serving-dir", str(tmp_path / "nowhere"), "--out", str(tmp_path / "quality")]
    )
    assert code == 1
    err = capsys.readouterr().err
    assert "no serving copy yet; run `make run` or `customer360 publish`" in err
    assert "Traceback" not in err


def test_vars_override_the_project_thresholds() -> None:
    thresholds = {
        **validate.project_vars(PROJECT_DIR),
        **validate.parse_vars("{dead_stock_ratio: 0.5}"),
    }
    assert thresholds["dead_stock_ratio"] == 0.5
    assert "landing_dir" not in thresholds  # Jinja-valued: ignored
    with pytest.raises(validate.UserError, match="--vars"):
        validate.parse_vars("[1, 2]")


def test_an_unreadable_landed_file_is_refused_with_its_folder(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    (landing / "orders").mkdir(parents=True)
    (landing / "orders" / "part.parquet").write_bytes(b"not parquet at all")
    with pytest.raises(validate.UserError, match=r"orders: cannot read the landed PARQUET files"):
        suites.landing_suites(duckdb.connect(), landing, contract.load(), None)


def test_failed_checks_of_personal_columns_keep_counts_not_values(tmp_path, serving) -> None:
    landing = tmp_path / "landing"
    customers = pd.DataFrame(
        {
            "customer_id": ["c1", "c2", "c3"],
            "email": ["a@example.org", "not-an-email@", None],
            "birth_date": ["1980-01-01", "31/12/1980", "1850-06-01"],
            "signup_date": ["2024-01-01", "someday", "2024-02-01"],
        }
    )
    land(landing, "customers", customers, fmt="csv")
    suite_list = suites.landing_suites(duckdb.connect(), landing, contract.load(), None)
    out = tmp_path / "quality"
    results, _ = validate.validate(serving, landing, out, {}, quiet=True, suite_list=suite_list)
    failed = {
        f"{r.suite.table}:{r.check.name}": r
        for r in results
        if not r.success and r.suite.table.startswith("customers")  # orders are not landed
    }
    marker = "values not shown (personal, see staging.base_customers)"
    for name in ("birth_date_parses_as_date", "birth_date_between_1900_and_2100"):
        result = failed.pop(f"customers:{name}")
        assert result.check.personal == contract.personal_marker("customers")
        assert (result.unexpected_count, result.samples) == (1, [])
        assert result.observed_value == f"1 unexpected of 3: {marker}"
        assert result.details.endswith(f"; {marker}")
    # a column that is not personal still shows its failing values
    assert failed.pop("customers:signup_date_parses_as_date").samples == ["someday"]
    assert failed == {}
    written = [out / "validation_results.parquet", *(out / "data_docs").rglob("*.html")]
    pages = [path for path in written if "customers/personal" in str(path)]
    assert pages  # the personal checks have a Data Docs page of their own
    for path in written:
        text = path.read_bytes().decode("utf-8", errors="replace")
        assert not [value for value in ("31/12/1980", "1850-06-01") if value in text], path
    assert "someday" in pq.read_table(out / "validation_results.parquet").to_pandas().to_string()
