"""The grouped generic tests (`not_null_columns`, `accepted_ranges`, tests/dbt/generic)
check several columns in one node: they must still name every column that breaks its
rule, with how many rows, and pass on a clean build."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from tests.helpers import Build, run_dbt

pytestmark = pytest.mark.integration


def failures(build: Build, test_name: str) -> set[tuple]:
    """The rows a failed test stored (dbt --store-failures), as a set of tuples."""
    (table,) = [
        name
        for (name,) in build.query(
            "select table_name from duckdb_tables() where schema_name = 'dbt_test__audit'"
            f" and table_name like '{test_name}%'"
        )
    ]
    return set(build.query(f'select * from dbt_test__audit."{table}"'))


def test_grouped_tests_name_each_broken_column(demo_build: Build) -> None:
    database = demo_build.target.parent / "generic-tests.duckdb"
    shutil.copyfile(demo_build.database, database)
    build = Build(demo_build.landing, database, demo_build.target.parent / "generic-tests")
    with duckdb.connect(str(database)) as con:
        # three customers lose their model version, two get an impossible probability
        con.execute(
            """
            update marts.customer_risk_band_history
            set model_version = null
            where customer_id in (
                select distinct customer_id from marts.customer_risk_band_history
                order by 1 limit 3
            )
            """
        ).fetchall()
        planted_nulls = con.execute(
            "select count(*) from marts.customer_risk_band_history where model_version is null"
        ).fetchall()[0][0]
        latest = "(select max(period_end) from marts.customer_risk_band_history)"
        first, second = (
            customer
            for (customer,) in con.execute(
                "select customer_id from marts.customer_risk_band_history"
                f" where period_end = {latest} order by 1 limit 2"
            ).fetchall()
        )
        for customer, probability in [(first, 1.5), (second, -0.25)]:
            con.execute(
                "update marts.customer_risk_band_history set churn_probability = ?"
                f" where customer_id = ? and period_end = {latest}",
                [probability, customer],
            ).fetchall()

    tested = run_dbt(build, "test", "--select", "customer_risk_band_history", "--store-failures")
    assert tested.returncode == 1, tested.output[-3000:]
    status = {
        result["unique_id"].split(".")[2]: result["status"]
        for result in tested.run_results["results"]
        if result["unique_id"].startswith("test.")
    }
    grouped = {
        name: state
        for name, state in status.items()
        if name.startswith(("not_null_columns_", "accepted_ranges_"))
    }
    assert sorted(grouped.values()) == ["fail", "fail"], status
    assert failures(build, "not_null_columns_customer_risk") == {("model_version", planted_nulls)}
    assert failures(build, "accepted_ranges_customer_risk") == {
        ("churn_probability", 2, "-0.25", "1.5")
    }
    # the other tests on the model still pass
    others = {name: state for name, state in status.items() if name not in grouped}
    assert set(others.values()) == {"pass"}, others
