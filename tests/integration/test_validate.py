"""`customer360 validate` on the published demo warehouse: every critical expectation
passes, one stored row per expectation, Data Docs; a corrupted serving copy fails with
the expectations it breaks named."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from customer360 import publish
from tests.helpers import Build, run_cli

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def serving(demo_build: Build, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("validate") / "serving"
    publish.publish(demo_build.database, folder, demo_build.target / "manifest.json")
    return folder


def validate(serving: Path, landing: Path, out: Path):
    return run_cli(
        "validate",
        "--serving-dir",
        str(serving),
        "--landing-dir",
        str(landing),
        "--out",
        str(out),
        "--quiet",
    )


def test_the_demo_warehouse_passes_every_critical_expectation(
    serving: Path, demo_build: Build, tmp_path: Path
) -> None:
    out = tmp_path / "quality"
    result = validate(serving, demo_build.landing, out)
    assert result.returncode == 0, result.stderr
    assert "critical expectation" not in result.stderr
    assert "Traceback" not in result.stderr
    with duckdb.connect(str(out / "validation.duckdb"), read_only=True) as connection:
        [(rows, distinct, runs, failed_critical, suites)] = connection.execute(
            "select count(*), count(distinct (suite, table_name, expectation)), "
            "count(distinct run_id), count(*) filter (not success and severity = 'critical'), "
            "list(distinct suite order by suite) from validation_results"
        ).fetchall()
        as_of = connection.execute("select distinct as_of_date from validation_results").fetchall()
        counts = connection.execute(
            "select observed_value from validation_results "
            "where expectation = 'customer_count_equal_within_group'"
        ).fetchall()
    assert rows == distinct  # one row per expectation
    assert rows > 150
    assert (runs, failed_critical) == (1, 0)
    assert suites == [
        "bundles",
        "churn",
        "counts",
        "landing",
        "personas_tiers",
        "products",
        "rfm",
        "roi",
    ]
    with duckdb.connect(str(serving / "customer360.duckdb"), read_only=True) as connection:
        assert as_of == connection.execute("select as_of_date from publish_info").fetchall()
    assert counts == [("0 unexpected of 17",)]
    assert f"run {result.stdout.split()[1]}" in result.stdout
    index = out / "data_docs" / "index.html"
    assert index.is_file()
    assert "churn.churn_predictions" in index.read_text(encoding="utf-8")
    # a second run of the same build keeps one run's rows (it replaces them)
    again = validate(serving, demo_build.landing, out)
    assert again.returncode == 0, again.stderr
    with duckdb.connect(str(out / "validation.duckdb"), read_only=True) as connection:
        assert connection.execute("select count(*) from validation_results").fetchall() == [(rows,)]


def test_a_corrupted_serving_copy_fails_naming_the_expectations(
    serving: Path, demo_build: Build, tmp_path: Path
) -> None:
    broken = tmp_path / "serving"
    broken.mkdir()
    shutil.copyfile(serving / "customer360.duckdb", broken / "customer360.duckdb")
    with duckdb.connect(str(broken / "customer360.duckdb")) as connection:
        [(customer,)] = connection.execute(
            "select min(customer_id) from marts.churn_predictions where risk_band = 'high'"
        ).fetchall()
        connection.execute(
            "update marts.churn_predictions set churn_probability = 1.5 where customer_id = ?",
            [customer],
        )
        connection.execute(
            "delete from marts.customer_tiers where customer_id = "
            "(select max(customer_id) from marts.customer_tiers)"
        )
    result = validate(broken, demo_build.landing, tmp_path / "quality")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    # the probability leaves [0, 1] and its band; one buyer has no tier
    assert "3 critical expectation(s) failed" in result.stderr
    assert (
        "churn / churn_predictions.churn_probability: churn_probability_between_0_and_1 — "
        "observed 1 unexpected of" in result.stderr
    )
    assert "churn_predictions.churn_probability: risk_band_high_matches_probability" in (
        result.stderr
    )
    assert f"{customer}: 1.5" in result.stderr
    assert "counts / customer_marts.row_count: customer_count_equal_within_group" in result.stderr
    assert "marts.customer_tiers: (" in result.stderr
    assert "what to do:" in result.stderr


def test_a_rule_below_the_support_used_fails_validation(
    serving: Path, demo_build: Build, tmp_path: Path
) -> None:
    broken = tmp_path / "serving"
    broken.mkdir()
    shutil.copyfile(serving / "customer360.duckdb", broken / "customer360.duckdb")
    with duckdb.connect(str(broken / "customer360.duckdb")) as connection:
        [(mode, used, rule)] = connection.execute(
            "select summary.support_mode, summary.min_support_used, min(rules.rule) "
            "from marts.bundle_mining_summary as summary, ml.association_rules as rules "
            "group by all"
        ).fetchall()
        # below the support the build used, though still above a lower fixed var's
        connection.execute(
            "update ml.association_rules set support = ? where rule = ?", [used / 2, rule]
        )
    assert mode == "auto"
    result = validate(broken, demo_build.landing, tmp_path / "quality")
    assert result.returncode == 1
    assert "1 critical expectation(s) failed" in result.stderr
    assert "bundles / association_rules.support: support_at_least_min_support_used" in result.stderr
