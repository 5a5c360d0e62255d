"""Incremental builds: one more landed day, then `dbt build`, gives the tables a full
refresh gives, and leaves the rows outside the look-back window alone.

Staging is incremental by landed file (macros/staging/validate_landing.sql): a run types
and checks only new or changed files, drops the rows of removed ones and re-runs the key
rules for the keys they touch; the staging tables must equal a full refresh's too.

fct_order_lines and fct_orders are incremental (strategy `lookback_merge`, docs block
`incremental_lookback`): a run reads the orders placed from the day of the newest built
order minus `incremental_lookback_days` (3) and merges them; older rows are kept as built.
So are fct_device_logs (by `logged_at`) and fct_device_sessions (every session with a page
view in the window, also one that started before it, is recomputed from all its logs).
The intermediate tables are compared with a full refresh too.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from customer360.demo import contract_schema, land_next_day
from tests.helpers import PROJECT_DIR, Build, dbt_invocation, run_cli, run_dbt
from tests.integration.test_reproducible import fingerprints

pytestmark = pytest.mark.integration

LOOKBACK_DAYS = 3
LATE_ORDER = "LATE-IN-WINDOW"
OLD_ORDER = "LATE-BEFORE-WINDOW"
NEW_SESSION = "NEXT-DAY-SESSION"


def land(landing: Path, entity: str, name: str, rows: list[dict]) -> None:
    """A new contract-typed Parquet file in one entity's landing folder."""
    schema = contract_schema(entity)
    table = pa.Table.from_pylist(rows, schema=schema)
    pq.write_table(table, landing / entity / f"{name}.parquet")


def marts_and_ml(build: Build) -> dict[str, tuple]:
    """Count and hash of every table of the staging, intermediate, marts and ml schemas.
    ml.churn_model_runs is a version log by design (new data adds a version, a full
    refresh starts it again), so only its current version is compared."""
    tables = {
        name: value
        for name, value in fingerprints(build).items()
        if name.startswith(("staging.base_", "intermediate.", "marts.", "ml."))
    }
    tables["ml.churn_model_runs"] = build.query(
        "select count(*), sum(hash(t)) from ml.churn_model_runs as t where is_current"
    )[0]
    # the segment history keeps the month ends it stored, as the build that stored them
    # computed them (docs: segment_history), and the risk bands and the migration are read
    # from it; a full refresh recomputes every month end, so
    # test_the_segment_history_keeps_its_month_ends checks them instead
    for name in (
        "marts.customer_segment_history",
        "ml.churn_score_history",
        "marts.customer_risk_band_history",
        "marts.segment_migration",
    ):
        del tables[name]
    return tables


def outside_window(build: Build, start: dt.date, crossing: str) -> dict[str, tuple]:
    """Count and hash of the rows placed before the window start, per incremental table
    (the session that the new day's logs make cross the window start is recomputed)."""
    before = {
        "fct_order_lines": f"ordered_at < '{start}'",
        "fct_orders": f"ordered_at < '{start}'",
        "fct_device_logs": f"logged_at < '{start}'",
        "fct_device_sessions": f"last_logged_at < '{start}' and session_id != '{crossing}'",
    }
    return {
        table: build.query(f"select count(*), sum(hash(t)) from marts.{table} as t where {rows}")[0]
        for table, rows in before.items()
    }


def segment_history(build: Build) -> tuple:
    """Count, hash and latest month end of the stored segment history."""
    return build.query(
        "select count(*), sum(hash(t)), max(period_end) from marts.customer_segment_history as t"
    )[0]


def land_device_and_email_day(build: Build, start: dt.date, day: str) -> dict:
    """New device logs and e-mail events: a new session on the new day, and a page view
    just after the window start for a session that ended before it (so it now crosses the
    window start); an e-mail open on the new day. Returns the crossing session and its
    page views before."""
    crossing, customer_id, page_views = build.query(
        "select session_id, customer_id, page_views from marts.fct_device_sessions "
        f"where last_logged_at < '{start}' and customer_id is not null "
        "order by last_logged_at desc, session_id limit 1"
    )[0]
    device = build.query(
        "select device_type, screen_width, screen_height, device_memory_gb "
        f"from marts.fct_device_logs where session_id = '{crossing}' order by logged_at limit 1"
    )[0]
    new_day = dt.date.fromisoformat(day)
    logs = [
        (crossing, dt.datetime.combine(start, dt.time(0, 30))),
        (NEW_SESSION, dt.datetime.combine(new_day, dt.time(9, 0))),
        (NEW_SESSION, dt.datetime.combine(new_day, dt.time(9, 5))),
    ]
    land(
        build.landing,
        "device_logs",
        "next-day",
        [
            {
                "logged_at": logged_at,
                "customer_id": customer_id,
                "session_id": session_id,
                "device_type": device[0],
                "screen_width": device[1],
                "screen_height": device[2],
                "device_memory_gb": device[3],
                "user_agent": None,
            }
            for session_id, logged_at in logs
        ],
    )
    campaign_id = build.query("select min(campaign_id) from staging.stg_email_events")[0][0]
    land(
        build.landing,
        "email_events",
        "next-day",
        [
            {
                "customer_id": customer_id,
                "event_at": dt.datetime.combine(new_day, dt.time(8, 0)),
                "event_type": "open",
                "campaign_id": campaign_id,
            }
        ],
    )
    return {"crossing": crossing, "page_views": page_views, "customer_id": customer_id}


def copy_database(build: Build, work: Path) -> Build:
    copy = Build(build.landing, work / "full_refresh.duckdb", work / "target_full")
    shutil.copyfile(build.database, copy.database)
    return copy


@pytest.fixture(scope="module")
def incremental(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A 300-customer warehouse, built; one more day landed (new orders, a late order
    inside the window, a line added to a window order, a conflicting correction); then
    built incrementally."""
    work = tmp_path_factory.mktemp("incremental")
    landing = work / "landing"
    result = run_cli(
        "demo", "--customers", "300", "--seed", "7", "--quiet", "--landing-dir", str(landing)
    )
    assert result.returncode == 0, result.stderr
    build = run_dbt(Build(landing, work / "warehouse.duckdb", work / "target"), "build")
    assert build.returncode == 0, build.output[-5000:]

    newest_day = build.query("select max(cast(ordered_at as date)) from marts.fct_order_lines")
    start = newest_day[0][0] - dt.timedelta(days=LOOKBACK_DAYS)
    # an order placed inside the window with two lines, one corrected, one kept
    corrected = build.query(
        f"""
        select orders.order_id, orders.customer_id, lines.line_number, lines.product_id,
            lines.quantity, lines.unit_price, lines.discount_amount, lines.unit_cost,
            orders.line_count
        from marts.fct_orders as orders
        inner join marts.fct_order_lines as lines on orders.order_id = lines.order_id
        where orders.ordered_at >= '{start}' and orders.line_count >= 2
            and lines.line_number = 1 and orders.is_purchase
        order by orders.order_id
        limit 1
        """
    )[0]
    order_id, customer_id, line_number, product_id, quantity, price, discount, cost, lines = (
        corrected
    )
    before = {
        "outside": None,
        "order_lines": build.query("select count(*) from marts.fct_order_lines")[0][0],
        "orders": build.query("select count(*) from marts.fct_orders")[0][0],
        "line_count": lines,
        "test_cutoff": build.query("select test_cutoff_date from ml.churn_model_runs")[0][0],
        "segment_history": segment_history(build),
    }

    day, day_orders, day_lines = land_next_day(landing, share=0.02)
    assert day == str(newest_day[0][0] + dt.timedelta(days=1))
    devices = land_device_and_email_day(build, start, day)
    before["outside"] = outside_window(build, start, devices["crossing"])
    before["opens"] = build.query(
        "select opens from marts.customer_email_engagement "
        f"where customer_id = '{devices['customer_id']}'"
    )
    late_at = dt.datetime.combine(newest_day[0][0] - dt.timedelta(days=1), dt.time(10, 30))
    land(
        landing,
        "orders",
        "late-in-window",
        [
            {
                "order_id": LATE_ORDER,
                "customer_id": customer_id,
                "ordered_at": late_at,
                "channel": "online",
                "store_id": None,
                "status": "completed",
            }
        ],
    )
    line = {
        "product_id": product_id,
        "unit_price": price,
        "discount_amount": discount,
        "unit_cost": cost,
    }
    land(
        landing,
        "order_items",
        "corrections",
        [
            {**line, "order_id": LATE_ORDER, "line_number": 1, "quantity": 2},
            {**line, "order_id": LATE_ORDER, "line_number": 2, "quantity": 1},
            # the same key as a built line with another quantity: staging rejects both
            # copies (duplicate_conflict), so the line leaves the facts
            {**line, "order_id": order_id, "line_number": line_number, "quantity": quantity + 1},
            # a line added to an order in the window
            {**line, "order_id": order_id, "line_number": 99, "quantity": 3},
        ],
    )
    run_dbt(build, "build")
    assert build.returncode == 0, build.output[-5000:]
    assert "rows before the look-back window" not in build.output  # the window sufficed
    return {
        "build": build,
        "work": work,
        "start": start,
        "before": before,
        "order_id": order_id,
        "line_number": line_number,
        "day": day,
        "day_orders": day_orders,
        "day_lines": day_lines,
        "devices": devices,
    }


def test_the_incremental_run_merges_the_new_day_and_the_window_changes(incremental) -> None:
    build: Build = incremental["build"]
    before = incremental["before"]
    order_id = incremental["order_id"]
    assert incremental["day_orders"] > 0 and incremental["day_lines"] > 0
    # new day + late order (2 lines) + added line - corrected line
    assert build.query("select count(*) from marts.fct_order_lines")[0][0] == (
        before["order_lines"] + incremental["day_lines"] + 2 + 1 - 1
    )
    assert build.query("select count(*) from marts.fct_orders")[0][0] == (
        before["orders"] + incremental["day_orders"] + 1
    )
    assert build.query(
        f"select count(*) from marts.fct_orders where order_date = '{incremental['day']}'"
    ) == [(incremental["day_orders"],)]
    assert build.query(
        "select line_count, units, is_purchase from marts.fct_orders "
        f"where order_id = '{LATE_ORDER}'"
    ) == [(2, 3, True)]
    # the corrected line is gone (both copies rejected), the added line is in, and the
    # order's totals were updated: one line out, one in
    assert build.query(
        "select line_number from marts.fct_order_lines "
        f"where order_id = '{order_id}' and line_number in ({incremental['line_number']}, 99)"
    ) == [(99,)]
    assert build.query(
        f"select line_count from marts.fct_orders where order_id = '{order_id}'"
    ) == [(before["line_count"],)]
    assert build.query(
        "select reject_reason, count(*) from marts.rejected_rows "
        f"where entity = 'order_items' and raw_values like '%{order_id}%' group by all"
    ) == [("duplicate_conflict", 2)]


def test_the_incremental_run_merges_new_device_logs_and_email_events(incremental) -> None:
    build: Build = incremental["build"]
    devices = incremental["devices"]
    assert build.query(
        f"select page_views, first_logged_at < '{incremental['start']}' "
        f"from marts.fct_device_sessions where session_id = '{devices['crossing']}'"
    ) == [(devices["page_views"] + 1, True)]
    assert build.query(
        "select page_views, session_seconds, cast(session_date as varchar) "
        f"from marts.fct_device_sessions where session_id = '{NEW_SESSION}'"
    ) == [(2, 300, incremental["day"])]
    (opens,) = incremental["before"]["opens"] or [(0,)]
    assert build.query(
        "select opens from marts.customer_email_engagement "
        f"where customer_id = '{devices['customer_id']}'"
    ) == [(opens[0] + 1,)]


def test_rows_outside_the_window_are_unchanged(incremental) -> None:
    assert (
        outside_window(
            incremental["build"], incremental["start"], incremental["devices"]["crossing"]
        )
        == (incremental["before"]["outside"])
    )


def test_the_segment_history_keeps_its_month_ends(incremental) -> None:
    """The new day completes no month, so the run stores no month end, and it recomputes
    none of the stored ones, though the late order falls in the last stored month."""
    build: Build = incremental["build"]
    stored = incremental["before"]["segment_history"]
    assert stored[0] > 0
    assert build.query("select max(cast(ordered_at as date)) from marts.fct_orders") > [
        (stored[2],)
    ]
    assert segment_history(build) == stored
    assert build.query(
        f"select count(*) from marts.fct_orders where order_id = '{LATE_ORDER}' "
        f"and ordered_at <= '{stored[2]}'"
    ) == [(1,)]


MONTH_END_TABLES = {
    "marts.customer_segment_history": "period_end",
    "ml.churn_score_history": "period_end",
    "marts.customer_risk_band_history": "period_end",
    "marts.segment_migration": "to_period_end",
}
MEMBERSHIPS = """
    select customer_id, period_end, 'rfm_segment' as kind, rfm_segment as segment
    from marts.customer_segment_history where rfm_segment is not null
    union all
    select customer_id, period_end, 'persona', persona
    from marts.customer_segment_history where persona is not null
    union all
    select customer_id, period_end, 'tier', tier
    from marts.customer_segment_history where tier is not null
    union all
    select customer_id, period_end, 'risk_band', risk_band
    from marts.customer_risk_band_history where risk_band is not null
"""


def month_end_rows(build: Build, month_end: dt.date, before: bool = False) -> dict[str, tuple]:
    """Count and hash of each month-end table's rows at `month_end` (or before it)."""
    compare = "<" if before else "="
    return {
        table: build.query(
            f"select count(*), sum(hash(t)) from {table} as t where {column} {compare} "
            f"'{month_end}'"
        )[0]
        for table, column in MONTH_END_TABLES.items()
    }


def test_a_new_month_end_is_appended_as_a_full_build_stores_it(incremental) -> None:
    """The history's last month end taken out of the history and the tables appended after
    it: an incremental build adds it back with the rows a full refresh gives for it (the
    late order in that month now counted), leaves the earlier month ends as stored, and
    counts only the moves into it, as plain SQL over the stored memberships counts them."""
    built: Build = incremental["build"]
    [(last,)] = built.query("select max(period_end) from marts.customer_segment_history")
    appended, full = (
        Build(built.landing, incremental["work"] / f"{name}.duckdb", built.target.parent / name)
        for name in ("appended", "month_ends_refreshed")
    )
    for copy in (appended, full):
        shutil.copyfile(built.database, copy.database)
    stored_before = month_end_rows(appended, last, before=True)
    with duckdb.connect(str(appended.database)) as con:
        for table, column in MONTH_END_TABLES.items():
            con.execute(f"delete from {table} where {column} = ?", [last]).fetchall()
    assert month_end_rows(appended, last)["marts.customer_segment_history"][0] == 0

    run_dbt(appended, "build", "--select", "customer_segment_history+")
    assert appended.returncode == 0, appended.output[-5000:]
    run_dbt(full, "build", "--full-refresh", "--select", "customer_segment_history+")
    assert full.returncode == 0, full.output[-5000:]

    assert month_end_rows(appended, last, before=True) == stored_before
    added, refreshed = month_end_rows(appended, last), month_end_rows(full, last)
    del added["marts.segment_migration"], refreshed["marts.segment_migration"]
    assert added == refreshed
    assert added["marts.customer_segment_history"][0] > 0
    [(previous,)] = appended.query(
        f"select max(period_end) from marts.customer_segment_history where period_end < '{last}'"
    )
    expected = appended.query(
        f"""
        with memberships as ({MEMBERSHIPS})
        select from_.kind, from_.segment, to_.segment, count(*)
        from memberships as from_
        inner join memberships as to_
            on from_.customer_id = to_.customer_id and from_.kind = to_.kind
        where from_.period_end = '{previous}' and to_.period_end = '{last}'
        group by all order by all
        """
    )
    assert expected
    assert expected == appended.query(
        "select segment_kind, from_segment, to_segment, customers from marts.segment_migration "
        f"where from_period_end = '{previous}' and to_period_end = '{last}' order by all"
    )


def test_a_full_refresh_gives_the_same_marts_and_ml_tables(incremental) -> None:
    build: Build = incremental["build"]
    full = run_dbt(copy_database(build, incremental["work"]), "build", "--full-refresh")
    assert full.returncode == 0, full.output[-5000:]
    incremental_tables, full_tables = marts_and_ml(build), marts_and_ml(full)
    assert {
        "staging.base_order_items",
        "marts.fct_customer_purchases",
        "marts.fct_order_lines",
        "marts.fct_orders",
        "marts.fct_device_logs",
        "marts.fct_device_sessions",
        "ml.churn_model_runs",
    } <= set(incremental_tables)
    assert incremental_tables == full_tables
    # the new day and the window's changes leave the training and test snapshots as they
    # were (the cutoffs sit on a fixed grid and did not move), so the build reused the
    # version instead of training again, and made it current for the new as-of date
    assert build.query(
        "select count(*), count_if(is_current), max(as_of_date) filter (where is_current), "
        "max(test_cutoff_date) from ml.churn_model_runs"
    ) == [
        (
            1,
            1,
            *build.query("select as_of_date from intermediate.int_as_of_date")[0],
            incremental["before"]["test_cutoff"],
        )
    ]


def test_removed_and_relanded_files_give_the_tables_of_a_full_refresh(incremental) -> None:
    """The corrections file removed (its conflicting copy goes, so the built line it
    conflicted with is staged again) and the late order's file landed again with another
    channel: staging drops exactly the old files' rows and the key rules are re-run, as a
    full refresh would."""
    build: Build = incremental["build"]
    landing = build.landing
    (landing / "order_items" / "corrections.parquet").unlink()
    late = pq.read_table(landing / "orders" / "late-in-window.parquet").to_pylist()
    land(landing, "orders", "late-in-window", [{**late[0], "channel": "store"}])
    run_dbt(build, "build")
    assert build.returncode == 0, build.output[-5000:]
    order_id, line_number = incremental["order_id"], incremental["line_number"]
    assert build.query(
        f"select count(*) from marts.fct_order_lines where order_id = '{order_id}' "
        f"and line_number = {line_number}"
    ) == [(1,)]
    assert (
        build.query(
            "select row_outcome, count(*) from staging.base_order_items "
            f"where order_id = '{LATE_ORDER}' group by all"
        )
        == []
    )  # its lines were in the removed file
    assert build.query(
        f"select channel from staging.base_orders where order_id = '{LATE_ORDER}'"
    ) == [("store",)]
    work = incremental["work"] / "relanded"
    work.mkdir()
    full = run_dbt(copy_database(build, work), "build", "--full-refresh")
    assert full.returncode == 0, full.output[-5000:]
    assert marts_and_ml(build) == marts_and_ml(full)


def test_an_incremental_run_killed_while_it_merges_leaves_no_trace(incremental) -> None:
    """One more day landed, then `dbt build` killed (SIGKILL, no cleanup) as soon as it
    starts merging the order facts, wherever in that model it then is: the next build
    recovers by itself and gives the tables of a full refresh."""
    build: Build = incremental["build"]
    land_next_day(build.landing, share=0.02)
    log = incremental["work"] / "killed.log"
    command, env = dbt_invocation(build, "build")
    with log.open("w") as out:
        running = subprocess.Popen(command, cwd=PROJECT_DIR, env=env, stdout=out, stderr=out)
    try:
        deadline = time.monotonic() + 300
        while "model marts.fct_orders" not in log.read_text():
            assert running.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.05)
    finally:
        os.kill(running.pid, signal.SIGKILL)
        running.wait()
    run_dbt(build, "build")
    assert build.returncode == 0, build.output[-5000:]
    work = incremental["work"] / "killed"
    work.mkdir()
    full = run_dbt(copy_database(build, work), "build", "--full-refresh")
    assert full.returncode == 0, full.output[-5000:]
    assert marts_and_ml(build) == marts_and_ml(full)


def test_a_row_landed_before_the_window_makes_the_run_rebuild_the_whole_table(
    incremental,
) -> None:
    """Landed later with a time before the window: the rows before the window no longer
    match the model's inputs, so the run rebuilds the whole table instead of keeping a
    stale history, and gives what a full refresh gives."""
    build: Build = incremental["build"]
    old_at = dt.datetime.combine(incremental["start"] - dt.timedelta(days=30), dt.time(12))
    customer_id = build.query("select min(customer_id) from marts.dim_customers")[0][0]
    land(
        build.landing,
        "orders",
        "late-before-window",
        [
            {
                "order_id": OLD_ORDER,
                "customer_id": customer_id,
                "ordered_at": old_at,
                "channel": "online",
                "store_id": None,
                "status": "completed",
            }
        ],
    )
    run_dbt(build, "run", "--select", "+fct_orders")
    assert build.returncode == 0, build.output[-5000:]
    assert "fct_orders: rows before the look-back window" in build.output
    assert "fct_order_lines: rows before the look-back window" not in build.output
    assert build.query(
        f"select line_count, is_purchase from marts.fct_orders where order_id = '{OLD_ORDER}'"
    ) == [(0, False)]
    assert_same_order_facts_as_a_full_refresh(build, incremental["work"] / "late")


def test_a_replaced_landing_zone_rebuilds_the_whole_tables(incremental) -> None:
    """Another data set landed in place of the first (the landing folders emptied and
    refilled): no row of the old data may survive in the incremental order facts."""
    build: Build = incremental["build"]
    shutil.rmtree(build.landing)
    result = run_cli(
        "demo",
        "--customers",
        "200",
        "--seed",
        "8",
        "--quiet",
        "--landing-dir",
        str(build.landing),
    )
    assert result.returncode == 0, result.stderr
    run_dbt(build, "run", "--select", "+fct_orders")
    assert build.returncode == 0, build.output[-5000:]
    assert "fct_order_lines: rows before the look-back window" in build.output
    assert build.query(
        "select count(*) from marts.fct_order_lines as lines anti join staging.stg_order_items "
        "as items on lines.order_id = items.order_id and lines.line_number = items.line_number"
    ) == [(0,)]
    assert_same_order_facts_as_a_full_refresh(build, incremental["work"] / "replaced")


def assert_same_order_facts_as_a_full_refresh(build: Build, work: Path) -> None:
    work.mkdir()
    full = run_dbt(copy_database(build, work), "run", "--full-refresh", "--select", "+fct_orders")
    assert full.returncode == 0, full.output[-5000:]
    for table in ("fct_order_lines", "fct_orders"):
        sql = f"select count(*), sum(hash(t)) from marts.{table} as t"
        assert build.query(sql) == full.query(sql), table
