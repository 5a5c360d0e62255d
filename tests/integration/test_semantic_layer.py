"""The semantic layer (models/marts/metrics/_metrics__semantic.yml), queried as a BI user
does: `mf query` on the demo build answers revenue per month as plain SQL over fct_orders
does, every KPI card of the dashboards equals its metric, the ROI page's expected-value
table equals the retention metrics per RFM segment, and the README lists every metric.

`mf` reads `<project>/target/semantic_manifest.json` and the dbt profile, so each query
runs in a copy of the project (symlinks) whose target/ holds the demo build's manifest, on
the `test` target pointed at the demo build's file.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import sqlalchemy

from customer360 import dashboard, publish
from tests.helpers import BIN_DIR, PROJECT_DIR, Build, dbt_invocation, embedded

pytestmark = pytest.mark.integration

NOT_LINKED = {"target", "logs", "warehouse", "data", ".venv", ".git"}
CUSTOMER_METRICS = [
    "customers",
    "buyers",
    "scored_customers",
    "high_risk_customers",
    "churn_rate",
    "value_at_risk",
]
ORDER_METRICS = ["revenue", "profit"]
# the overview's KPI cards (data-kpi) and the metric each shows
OVERVIEW_CARDS = {
    "customers": "customers",
    "revenue": "revenue",
    "profit": "profit",
    "churn_rate": "churn_rate",
    "value_at_risk": "value_at_risk",
}
CHURN_CARDS = {
    "scored_customers": "scored_customers",
    "high_risk_customers": "high_risk_customers",
    "value_at_risk": "value_at_risk",
}


@pytest.fixture(scope="module")
def mf_project(demo_build: Build, tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("mf") / "project"
    project.mkdir()
    for entry in PROJECT_DIR.iterdir():
        if entry.name not in NOT_LINKED:
            (project / entry.name).symlink_to(entry)
    (project / "target").mkdir()
    shutil.copyfile(
        demo_build.target / "semantic_manifest.json", project / "target/semantic_manifest.json"
    )
    return project


def mf_query(build: Build, project: Path, *args: str) -> list[dict[str, str | None]]:
    """The rows of `mf query <args>` (CSV output; an empty cell is None)."""
    out = project / "query.csv"
    out.unlink(missing_ok=True)
    _, env = dbt_invocation(build)
    env = {**env, "DBT_PROFILES_DIR": str(PROJECT_DIR), "DBT_PROJECT_DIR": str(project)}
    result = subprocess.run(
        [str(BIN_DIR / "mf"), "query", *args, "--csv", str(out)],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0 and out.is_file(), (result.stdout + result.stderr)[-3000:]
    with out.open(newline="") as handle:
        return [
            {key: (value if value != "" else None) for key, value in row.items()}
            for row in csv.DictReader(handle)
        ]


def number(value: object) -> float | None:
    return None if value is None else float(value)


def as_of_date(build: Build) -> dt.date:
    [(day,)] = build.query("select distinct as_of_date from marts.customer_360")
    return day


def test_revenue_per_month_from_mf_query_equals_plain_sql_on_fct_orders(
    demo_build: Build, mf_project: Path
) -> None:
    rows = mf_query(
        demo_build, mf_project, "--metrics", "revenue", "--group-by", "metric_time__month"
    )
    answered = {
        dt.date.fromisoformat(row["metric_time__month"][:10]): Decimal(row["revenue"])
        for row in rows
    }
    expected = dict(
        demo_build.query(
            "select cast(date_trunc('month', order_date) as date), sum(revenue) "
            "from marts.fct_orders where is_purchase group by all"
        )
    )
    assert len(expected) >= 12
    assert sorted(answered) == sorted(expected)
    for month, revenue in expected.items():
        assert answered[month] == pytest.approx(revenue, abs=Decimal("0.01")), month


def metric_values(
    build: Build, project: Path, group_by: str | None, before: dt.date
) -> dict[str, dict[str, float | None]]:
    """The overview metrics per group (key '' without a group-by): the customer metrics as
    of the as-of date, revenue and profit of the days before it."""
    grouping = ["--group-by", f"customer__{group_by}"] if group_by else []
    where = f"{{{{ TimeDimension('metric_time', 'day') }}}} < '{before.isoformat()}'"
    values: dict[str, dict[str, float | None]] = {}
    for metrics, extra in ((CUSTOMER_METRICS, []), (ORDER_METRICS, ["--where", where])):
        for row in mf_query(build, project, "--metrics", ",".join(metrics), *grouping, *extra):
            group = row[f"customer__{group_by}"] if group_by else ""
            if group is None:  # customers without a persona or segment, and guest orders
                continue
            key = f"{group_by}:{group}" if group_by else ""
            values.setdefault(key, {}).update({name: number(row[name]) for name in metrics})
    return values


@pytest.fixture(scope="module")
def pages(demo_build: Build, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("semantic_pages")
    publish.publish(demo_build.database, folder / "serving", demo_build.target / "manifest.json")
    out = folder / "dashboards"
    dashboard.render(folder / "serving", folder / "quality", out)
    return {name: (out / name).read_text(encoding="utf-8") for name in ("index.html", "churn.html")}


def cards(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-kpi="(\w+)".*?<div class="kpi-value">([^<]*)</div>', html, re.S))


def test_every_kpi_card_equals_its_metric(demo_build: Build, mf_project: Path, pages) -> None:
    before = as_of_date(demo_build)
    metrics: dict[str, dict[str, float | None]] = {}
    for group_by in (None, "persona", "rfm_segment"):
        metrics.update(metric_values(demo_build, mf_project, group_by, before))
    kpis = {row["filter_key"]: row for row in embedded(pages["index.html"], "kpis")}
    # every selection of the segment filter, and no other, with each card's metric
    assert sorted(kpis) == sorted(metrics)
    assert len(kpis) > 5
    for key, row in kpis.items():
        for card, metric in OVERVIEW_CARDS.items():
            assert row[card] == pytest.approx(metrics[key][metric], abs=1e-6), (key, card)
    everyone = metrics[""]
    assert cards(pages["index.html"]) == {
        "customers": dashboard.fmt_number(everyone["customers"]),
        "revenue": dashboard.fmt_number(everyone["revenue"]),
        "profit": dashboard.fmt_number(everyone["profit"]),
        "churn_rate": dashboard.fmt_pct(everyone["churn_rate"]),
        "value_at_risk": dashboard.fmt_number(everyone["value_at_risk"]),
    }
    assert cards(pages["churn.html"]) == {
        card: dashboard.fmt_number(everyone[metric]) for card, metric in CHURN_CARDS.items()
    }
    assert everyone["high_risk_customers"] > 0 and everyone["value_at_risk"] > 0


def test_the_roi_page_per_segment_equals_the_retention_metrics(
    demo_build: Build, mf_project: Path
) -> None:
    names = [
        "scored_buyers",
        "scored_buyer_monetary",
        "expected_value_lost",
        "expected_saved_value",
        "retention_cost",
        "net_expected_value",
    ]
    rows = mf_query(
        demo_build,
        mf_project,
        "--metrics",
        ",".join(names),
        "--group-by",
        "customer__rfm_segment",
        "--where",
        "{{ Dimension('customer__is_scored') }} and {{ Dimension('customer__has_purchased') }}",
    )
    answered = {row["customer__rfm_segment"]: [number(row[name]) for name in names] for row in rows}
    mart = {
        segment: [float(value) for value in values]
        for segment, *values in demo_build.query(
            "select rfm_segment, customers, monetary, expected_value_lost, expected_saved_value, "
            "retention_cost, net_expected_value from marts.retention_roi_by_segment"
        )
    }
    assert sorted(answered) == sorted(mart) and len(mart) > 3
    for segment, values in mart.items():
        # the mart rounds each amount to 4 decimals
        assert answered[segment] == pytest.approx(values, abs=1e-3), segment


def test_the_campaign_metrics_equal_the_roi_page_campaign_table(
    demo_build: Build, mf_project: Path
) -> None:
    names = ["campaign_contacts", "conversions", "campaign_revenue", "campaign_cost"]
    rows = mf_query(
        demo_build,
        mf_project,
        "--metrics",
        ",".join(names),
        "--group-by",
        "campaign_segment__campaign_name",
    )
    answered = {
        row["campaign_segment__campaign_name"]: [number(row[name]) for name in names]
        for row in rows
    }
    sql = (PROJECT_DIR / "dashboards/queries/roi/campaigns.sql").read_text()
    page = {
        name: [float(value) for value in values]
        for name, *values in demo_build.query(
            f"select campaign_name, contacts, conversions, revenue, cost from ({sql})"
        )
    }
    assert sorted(answered) == sorted(page) and len(page) > 1
    assert sum(values[1] for values in page.values()) > 0
    for name, values in page.items():
        assert answered[name] == pytest.approx(values, abs=1e-3), name


@pytest.fixture(scope="module")
def lift_build(demo_build: Build, tmp_path_factory: pytest.TempPathFactory) -> Build:
    """A copy of the demo build whose campaign_lift has a segment row for every campaign
    (the same contacts again, as the mart's per-segment rows are) and whose first campaign
    is attributed (its incremental figures null), so the metrics must skip both; the file
    keeps its name, which is the catalog the metrics' SQL names."""
    copy = tmp_path_factory.mktemp("lift_build") / demo_build.database.name
    shutil.copyfile(demo_build.database, copy)
    with duckdb.connect(str(copy)) as connection:
        connection.execute(
            "insert into marts.campaign_lift select * replace ('Copied segment' as rfm_segment) "
            "from marts.campaign_lift where rfm_segment = 'All segments'"
        )
        connection.execute(
            "update marts.campaign_lift set effect_basis = 'attributed', "
            "incremental_conversions = null, incremental_revenue = null, "
            "incremental_roi_pct = null, cost_per_incremental_conversion = null "
            "where campaign_id = (select min(campaign_id) from marts.campaign_lift)"
        )
    return Build(demo_build.landing, copy, demo_build.target)


def test_the_campaign_lift_metrics_per_campaign_and_in_total_equal_plain_sql(
    lift_build: Build, mf_project: Path
) -> None:
    """campaign_lift has a row per campaign ('All segments') and per campaign and segment: the
    metrics count each campaign once, and an attributed campaign's figures are unknown."""
    names = [
        "treated_contacts",
        "incremental_revenue",
        "incremental_roi_pct",
        "cost_per_incremental_conversion",
    ]
    rows = mf_query(lift_build, mf_project, "--metrics", ",".join(names), "--group-by", "campaign")
    answered = {row["campaign"]: [number(row[name]) for name in names] for row in rows}
    # plain SQL over the campaign rows; the ratios from the mart's own inputs
    campaigns = {
        campaign_id: [
            float(treated),
            number(revenue),
            None if revenue is None or not cost else float((revenue - cost) / cost * 100),
            None
            if cost is None or conversions is None or conversions <= 0
            else float(cost) / conversions,
        ]
        for campaign_id, treated, revenue, cost, conversions in lift_build.query(
            "select campaign_id, treated_contacts, incremental_revenue, cost, "
            "incremental_conversions from marts.campaign_lift "
            "where rfm_segment = 'All segments'"
        )
    }
    assert sorted(answered) == sorted(campaigns) and len(campaigns) > 2
    for campaign_id, values in campaigns.items():
        assert answered[campaign_id] == pytest.approx(values, abs=1e-3), campaign_id
    attributed = min(campaigns)
    assert answered[attributed][1:] == [None, None, None]
    # in total: every treated contact once; the revenue of the incremental campaigns only
    [total] = mf_query(lift_build, mf_project, "--metrics", "treated_contacts,incremental_revenue")
    known = [values[1] for values in campaigns.values() if values[1] is not None]
    assert 0 < len(known) < len(campaigns)
    assert number(total["treated_contacts"]) == sum(values[0] for values in campaigns.values())
    assert number(total["incremental_revenue"]) == pytest.approx(sum(known), abs=1e-3)
    # over attributed campaigns only the revenue is unknown, not 0
    where = "{{ Dimension('campaign_lift_row__effect_basis') }} = 'attributed'"
    [only] = mf_query(lift_build, mf_project, "--metrics", "incremental_revenue", "--where", where)
    assert only["incremental_revenue"] is None


def test_the_readme_lists_every_metric(demo_build: Build) -> None:
    manifest = json.loads((demo_build.target / "semantic_manifest.json").read_text())
    defined = sorted(metric["name"] for metric in manifest["metrics"])
    readme = (PROJECT_DIR / "README.md").read_text()
    section = readme[readme.index("## Querying metrics from BI") :]
    section = section[: section.index("\n## ", 1)]
    listed = re.findall(r"^\| `(\w+)` \|", section, re.MULTILINE)
    assert listed == sorted(listed), "the README lists the metrics in name order"
    assert listed == defined


def explained_sql(build: Build, project: Path, *args: str) -> str:
    """The SQL `mf query <args> --explain` prints."""
    _, env = dbt_invocation(build)
    env = {**env, "DBT_PROFILES_DIR": str(PROJECT_DIR), "DBT_PROJECT_DIR": str(project)}
    result = subprocess.run(
        [str(BIN_DIR / "mf"), "query", *args, "--explain"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    return result.stdout[result.stdout.index("SELECT") :]


def test_a_bi_tool_reads_the_serving_copy_through_sqlalchemy_read_only(
    demo_build: Build, mf_project: Path, tmp_path: Path
) -> None:
    """README, "Querying metrics from BI" and "The reader contract": Superset or Metabase
    connect with duckdb-engine to the published file, read-only, list its tables, read a
    mart, run a dashboard query and a metric's SQL from `mf query --explain`."""
    serving_dir = tmp_path / "serving"
    publish.publish(demo_build.database, serving_dir, demo_build.target / "manifest.json")
    engine = sqlalchemy.create_engine(
        f"duckdb:///{serving_dir / 'customer360.duckdb'}", connect_args={"read_only": True}
    )
    metric_sql = explained_sql(
        demo_build, mf_project, "--metrics", "revenue", "--group-by", "metric_time__month"
    )
    # the build file's catalog is its file name; the serving copy's is customer360 (the
    # default build file's name too, so there the SQL runs as printed)
    catalog = f'"{demo_build.database.stem}".'
    assert catalog in metric_sql
    metric_sql = metric_sql.replace(catalog, '"customer360".')
    try:
        tables = sqlalchemy.inspect(engine).get_table_names(schema="marts")
        assert {"customer_360", "kpi_summary", "fct_orders", "dim_dates"} <= set(tables)
        with engine.connect() as connection:
            customers = connection.exec_driver_sql(
                "select count(*) from marts.customer_360"
            ).scalar_one()
            kpis = connection.exec_driver_sql(
                (PROJECT_DIR / "dashboards/queries/overview/kpis.sql").read_text()
            ).mappings()
            everyone = next(row for row in kpis if row["filter_key"] == "")
            monthly = dict(connection.exec_driver_sql(metric_sql).fetchall())
            with pytest.raises(sqlalchemy.exc.DBAPIError, match="read-only"):
                connection.exec_driver_sql("create table marts.scratch as select 1 as one")
    finally:
        engine.dispose()
    [(built,)] = demo_build.query("select count(*) from marts.customer_360")
    assert customers == built == everyone["customers"]
    expected = dict(
        demo_build.query(
            "select date_trunc('month', order_date), sum(revenue) "
            "from marts.fct_orders where is_purchase group by all"
        )
    )
    assert len(monthly) == len(expected) >= 12
    for month, revenue in expected.items():
        assert monthly[month] == pytest.approx(revenue, abs=Decimal("0.01")), month
