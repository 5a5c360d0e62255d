"""`customer360 dashboard`: seven offline pages from the serving copy, without personal
data, byte-identical on a re-render, with CSV-injection-safe target lists.

Renders from the demo warehouse (conftest's demo_build) after `publish`; variants of the
serving copy (an injected formula, a leaked e-mail in a rejected row, no device logs) are
made on copies of it.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import shutil
from html import escape as html_escape
from pathlib import Path

import duckdb
import pytest
import yaml
from plotly.offline import get_plotlyjs

from customer360 import dashboard, publish
from customer360.cli import main
from customer360.export import FORMULA_STARTS
from tests.helpers import KPI_NOTE, PROJECT_DIR, REQUIREMENT_CITATION, Build, embedded

FILES = [
    "index.html",
    "segments.html",
    "churn.html",
    "roi.html",
    "products.html",
    "devices.html",
    "quality.html",
]
PLOTLY_BANNER = get_plotlyjs()[:40]


@pytest.fixture(scope="module")
def serving(demo_build: Build, tmp_path_factory: pytest.TempPathFactory) -> Path:
    serving_dir = tmp_path_factory.mktemp("dashboard") / "serving"
    publish.publish(demo_build.database, serving_dir, demo_build.target / "manifest.json")
    return serving_dir


@pytest.fixture(scope="module")
def rendered(serving: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("dashboard_out") / "dashboards"
    dashboard.render(serving, out.parent / "quality", out)
    return {name: (out / name).read_text(encoding="utf-8") for name in FILES}


def variant(serving: Path, tmp_path: Path, *statements: str) -> Path:
    """A copy of the serving copy with some statements applied."""
    copy = tmp_path / "serving"
    copy.mkdir()
    shutil.copyfile(serving / "customer360.duckdb", copy / "customer360.duckdb")  # writable
    with duckdb.connect(str(copy / "customer360.duckdb")) as connection:
        for statement in statements:
            connection.execute(statement)
    return copy


def own_content(html: str) -> str:
    """The page without the inlined Plotly library."""
    return html.replace(get_plotlyjs(), "")


def test_seven_pages_with_plotly_inlined_once_and_a_nav(rendered, serving) -> None:
    assert sorted(rendered) == sorted(FILES)
    pages = dict(
        zip(
            FILES,
            ["overview", "segments", "churn", "roi", "products", "devices", "quality"],
            strict=True,
        )
    )
    for name, html in rendered.items():
        assert html.count(PLOTLY_BANNER) == 1, name
        assert f'<body data-page="{pages[name]}">' in html
        nav = html[html.index("<nav>") : html.index("</nav>")]
        assert re.findall(r'<a href="([^"]+)"', nav) == FILES
        assert "http://" not in own_content(html) and "https://" not in own_content(html)
        [as_of] = (
            duckdb.connect(str(serving / "customer360.duckdb"), read_only=True)
            .execute("select cast(as_of_date as varchar) from main.publish_info")
            .fetchall()[0]
        )
        assert f"Data as of {as_of}" in html


def test_kpis_match_the_warehouse(rendered, serving) -> None:
    with duckdb.connect(str(serving / "customer360.duckdb"), read_only=True) as connection:
        [(customers, high, scored, value_at_risk)] = connection.execute(
            "select count(*), count(*) filter (where risk_band = 'high'), "
            "count(churn_probability), sum(monetary) filter (where risk_band = 'high') "
            "from marts.customer_360"
        ).fetchall()
        [(revenue, profit)] = connection.execute(
            "select sum(revenue), sum(profit) from marts.profit_trend where period_grain = 'year'"
        ).fetchall()
        personas = connection.execute(
            "select persona, count(*) from marts.customer_360 where persona is not null "
            "group by all order by all"
        ).fetchall()
    html = rendered["index.html"]
    kpis = {row["filter_key"]: row for row in embedded(html, "kpis")}
    everyone = kpis[""]
    assert everyone["customers"] == customers
    assert everyone["revenue"] == pytest.approx(float(revenue))
    assert everyone["profit"] == pytest.approx(float(profit))
    assert everyone["churn_rate"] == pytest.approx(high / scored)
    assert everyone["value_at_risk"] == pytest.approx(float(value_at_risk))
    assert [
        (key[8:], row["customers"]) for key, row in kpis.items() if key.startswith("persona:")
    ] == personas
    cards = dict(re.findall(r'data-kpi="(\w+)".*?<div class="kpi-value">([^<]*)</div>', html, re.S))
    assert cards["customers"] == f"{customers:,}"
    assert cards["revenue"] == f"{float(revenue):,.0f}"
    assert cards["churn_rate"] == f"{high / scored * 100:.1f} %"
    options = re.findall(r'<option value="([^"]*)"', html)
    assert options[0] == "" and f"persona:{personas[0][0]}" in options
    assert "month" in options and "quarter" in options and "year" in options
    trend = embedded(html, "trend")
    assert {row["period_grain"] for row in trend} == {"month", "quarter", "year"}
    by_filter = embedded(html, "trendByFilter")
    for grain in ["month", "quarter", "year"]:
        persona_revenue = sum(
            row["revenue"]
            for row in by_filter
            if row["period_grain"] == grain
            and row["filter_key"] in kpis
            and row["filter_key"].startswith("persona:")
        )
        assert persona_revenue == pytest.approx(float(revenue))  # every buyer has a persona
        vip = f"persona:{personas[-1][0]}"
        assert sum(
            row["revenue"]
            for row in by_filter
            if row["period_grain"] == grain and row["filter_key"] == vip
        ) == pytest.approx(kpis[vip]["revenue"])


def test_customer_lifetime_value_per_segment_matches_the_warehouse(rendered, serving) -> None:
    """The segments page's CLV per persona (chart data) and its tables per persona and RFM
    segment, and the churn page's CLV per risk band, are the marts' sums and means."""
    with duckdb.connect(str(serving / "customer360.duckdb"), read_only=True) as connection:
        personas = connection.execute(
            "select persona, count(*), avg(p_alive), sum(predicted_clv) from marts.customer_360 "
            "where has_purchased group by all order by 4 desc nulls last, 1"
        ).fetchall()
        [(rfm_total,)] = connection.execute(
            "select sum(predicted_clv) from marts.customer_lifetime_value"
        ).fetchall()
        bands = dict(
            connection.execute(
                "select risk_band, sum(predicted_clv) from marts.customer_360 "
                "where risk_band is not null group by all"
            ).fetchall()
        )
    assert rfm_total > 0  # the demo data fits both models
    html = rendered["segments.html"]
    chart = embedded(html, "clv")
    assert [
        (row["segment"], row["customers"], row["avg_p_alive"], row["predicted_clv"])
        for row in chart
    ] == [pytest.approx(row) for row in personas]
    section = html[html.index("<h2>Customer lifetime value by segment") :]
    section = section[: section.index("</section>")]
    tables = re.findall(r"<th>(Persona|RFM segment)</th>(.*?)</table>", section, re.S)
    assert [label for label, _ in tables] == ["Persona", "RFM segment"]
    for label, table in tables:
        totals = re.findall(r'<td class="n">([\d,]+)\s*(?:<div|</td></tr>)', table)
        assert sum(float(value.replace(",", "")) for value in totals) == pytest.approx(
            rfm_total, abs=len(totals)
        ), label
    churn = rendered["churn.html"]
    assert "Predicted CLV" in churn
    for band, value in bands.items():
        assert re.search(rf"<td>{band}</td>.*?{float(value):,.0f}</td>", churn, re.S), band


def test_a_partly_known_cost_shows_the_profit_with_its_coverage(serving, tmp_path) -> None:
    """The revenue and profit cards show kpi_summary's figures (the semantic layer's metrics;
    its dbt unit test covers unknown prices and costs) with their coverage: a profit known
    for part of the revenue says which share, a revenue known for part of the lines too."""
    copy = variant(
        serving,
        tmp_path,
        "update marts.kpi_summary set price_coverage_ratio = 0.75, cost_coverage_ratio = 0.625 "
        "where selection_kind = 'all'",
    )
    with duckdb.connect(str(copy / "customer360.duckdb"), read_only=True) as connection:
        [(revenue, profit)] = connection.execute(
            "select revenue, profit from marts.kpi_summary where selection_kind = 'all'"
        ).fetchall()
    out = tmp_path / "dashboards"
    dashboard.render(copy, tmp_path / "quality", out)
    html = (out / "index.html").read_text()
    everyone = next(row for row in embedded(html, "kpis") if row["filter_key"] == "")
    assert everyone["revenue"] == pytest.approx(float(revenue))
    assert everyone["profit"] == pytest.approx(float(profit))
    notes = dict(KPI_NOTE.findall(html))
    assert sorted(notes) == ["profit", "revenue"]
    assert notes["profit"] == "cost known for 62.5 % of revenue"
    assert notes["revenue"] == "price known for 75.0 % of lines"


def test_partial_periods_are_marked_in_the_trend_and_the_forecast(rendered, serving) -> None:
    """The demo's first month starts with its first order, mid-month: the trend data and
    the forecast say so, and the forecast note names the month and its covered days."""
    with duckdb.connect(str(serving / "customer360.duckdb"), read_only=True) as connection:
        [(first_day, as_of)] = connection.execute(
            "select (select cast(min(order_date) as date) from marts.fct_orders), as_of_date "
            "from main.publish_info"
        ).fetchall()
    assert first_day.day > 1
    html = rendered["index.html"]
    month = first_day.replace(day=1).isoformat()
    days = calendar.monthrange(first_day.year, first_day.month)[1]
    covered = days - first_day.day + 1
    trend = {(row["period_grain"], row["period_start"]): row for row in embedded(html, "trend")}
    assert (
        trend[("month", month)]["is_partial_period"],
        trend[("month", month)]["covered_days"],
        trend[("month", month)]["period_days"],
    ) == (True, covered, days)
    last_month = (as_of - dt.timedelta(days=1)).replace(day=1).isoformat()
    expected_partial = {month} | ({last_month} if as_of.day != 1 else set())
    months = [row for row in trend.values() if row["period_grain"] == "month"]
    assert {row["period_start"] for row in months if row["is_partial_period"]} == expected_partial
    assert all(
        row["covered_days"] == row["period_days"]
        for row in months
        if row["period_start"] not in expected_partial
    )
    forecast = embedded(html, "forecast")
    assert [row["month_start"] for row in forecast if row["is_partial_period"]] == sorted(
        expected_partial
    )
    assert forecast[0]["training_months"] == sum(
        1 for row in forecast if not row["is_forecast"] and not row["is_partial_period"]
    )
    assert f"{month[:7]} ({covered} of {days} days)" in html
    assert 'id="trend-note"' in html


def test_the_forecast_note_names_the_chosen_model_its_skill_and_its_interval(
    rendered, serving
) -> None:
    """The overview says which model forecasts, how it did on the held-out months against
    the naive forecast, and what the shaded band is; the page's rows carry the interval."""
    with duckdb.connect(str(serving / "customer360.duckdb"), read_only=True) as connection:
        [(model, mape, naive_mape, skill, ratio, held_out)] = connection.execute(
            "select distinct forecast_model, holdout_mape, naive_holdout_mape, "
            "skill_over_naive, prediction_interval_ratio, holdout_months "
            "from ml.sales_forecast where series = 'All customers'"
        ).fetchall()
    assert model is not None and held_out > 0
    html = rendered["index.html"]
    note = re.search(r'<p class="note" id="forecast-model">(.*?)</p>', html, re.DOTALL)
    assert note, "no forecast model note on the overview"
    text = " ".join(re.sub(r"<[^>]+>", "", note.group(1)).split())
    assert text.startswith(f"Forecast model: {model},")
    assert f"On the {held_out} held-out months: MAPE {dashboard.fmt_pct(mape)}" in text
    assert f"against {dashboard.fmt_pct(naive_mape)} for the naive forecast" in text
    assert f"skill over naive {dashboard.fmt_number(skill, 2)}" in text
    assert f"the {dashboard.fmt_pct(ratio, 0)} prediction interval" in text
    ahead = [row for row in embedded(html, "forecast") if row["is_forecast"]]
    assert ahead
    for row in ahead:
        assert row["forecast_model"] == model
        assert 0 <= row["predicted_revenue_lower"] <= row["predicted_revenue"]
        assert row["predicted_revenue"] <= row["predicted_revenue_upper"]


def test_every_filter_value_has_a_strategy(rendered) -> None:
    html = rendered["index.html"]
    keys = [row["filter_key"] for row in embedded(html, "kpis") if row["filter_key"]]
    strategies = {row["filter_key"]: row for row in embedded(html, "strategies")}
    assert sorted(strategies) == keys
    assert [key for key, row in strategies.items() if not row["recommended_action"]] == []
    assert [key for key, row in strategies.items() if not row["description"]] == []


def test_the_target_list_is_capped_per_filter_value_most_valuable_first(serving, tmp_path) -> None:
    out = tmp_path / "dashboards"
    dashboard.render(serving, tmp_path / "quality", out, max_list_rows=10)
    targets = embedded((out / "index.html").read_text(), "targets")
    columns = targets["columns"]
    assert columns[:11] == [
        "customer_id",
        "persona",
        "rfm_segment",
        "tier",
        "risk_band",
        "churn_probability",
        "monetary",
        "recency_days",
        "discount_pct",
        "channel",
        "template_key",
    ]
    rows = [dict(zip(columns, row, strict=True)) for row in targets["rows"]]
    ids = [row["customer_id"] for row in rows]
    assert ids == sorted(ids)
    top = sorted(
        (row for row in rows if row["rank_all"] is not None and row["rank_all"] <= 10),
        key=lambda row: row["rank_all"],
    )
    assert len(top) == 10
    losses = [(row["churn_probability"] or 0) * row["monetary"] for row in top]
    assert losses == sorted(losses, reverse=True)
    personas = {row["persona"] for row in rows if row["persona"]}
    for persona in personas:
        assert sum(row["persona"] == persona and row["rank_persona"] <= 10 for row in rows) == 10
    assert len(rows) <= 10 * (1 + len(personas) + len({row["rfm_segment"] for row in rows}))


def test_no_personal_data_reaches_the_pages(demo_build, serving, tmp_path) -> None:
    leak = "leak.me@example.com"
    copy = variant(
        serving,
        tmp_path,
        "insert into marts.rejected_rows values ('customers', 'customers.csv', 7, "
        f'\'missing_key\', \'missing_key\', null, \'{{"email": "{leak}", "full_name": '
        '"Leaky McLeak", "phone": "+44 7700 900123"}\')',
    )
    quality = tmp_path / "quality"
    quality.mkdir()
    duckdb.sql(
        "copy (select 'run-1' as run_id, date '2026-01-01' as as_of_date, 'staging' as suite, "
        "'stg_customers' as table_name, 'expect_column_values_to_match_regex' as expectation, "
        "'email' as column_name, 'warning' as severity, false as success, "
        f"'{leak}' as observed_value, 1 as unexpected_count, '{leak}' as details) "
        f"to '{quality / 'validation_results.parquet'}' (format parquet)"
    )
    out = tmp_path / "dashboards"
    dashboard.render(copy, quality, out)
    customers = duckdb.sql(
        f"select email, full_name, phone from '{demo_build.landing}/customers/*.parquet'"
    ).fetchall()
    known = {value for row in customers for value in row if value} | {leak, "Leaky McLeak"}
    assert len(known) > 2000
    for name in FILES:
        content = own_content((out / name).read_text(encoding="utf-8"))
        assert [value for value in known if value in content] == [], name
    quality_page = (out / "quality.html").read_text()
    assert '<div class="chart" id="chart-rejects">' in quality_page  # the reject is counted
    assert "missing_key" in quality_page and "1 failed" in quality_page


def test_a_second_render_is_byte_identical(rendered, serving, tmp_path) -> None:
    out = tmp_path / "dashboards"
    dashboard.render(serving, tmp_path / "quality", out)
    first = {name: (out / name).read_bytes() for name in FILES}
    dashboard.render(serving, tmp_path / "quality", out)
    assert {name: (out / name).read_bytes() for name in FILES} == first
    assert sorted(path.name for path in out.iterdir()) == sorted(FILES)
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".")] == []


def test_formula_like_text_is_neutralised_in_the_target_list(serving, tmp_path) -> None:
    copy = variant(
        serving,
        tmp_path,
        "update marts.retention_offers set template_key = '=HYPERLINK(\"http://x\")' "
        "where customer_id = (select min(customer_id) from marts.customer_360)",
        "update marts.customer_360 set rfm_segment = '@SUM(A1)' "
        "where customer_id = (select max(customer_id) from marts.customer_360)",
        # the filter's options are kpi_summary's selections
        "insert into marts.kpi_summary (selection_kind, selection, customers) "
        "values ('rfm_segment', '@SUM(A1)', 1)",
    )
    out = tmp_path / "dashboards"
    dashboard.render(copy, tmp_path / "quality", out)
    html = (out / "index.html").read_text()
    targets = embedded(html, "targets")
    cells = [cell for row in targets["rows"] for cell in row if isinstance(cell, str)]
    assert '\'=HYPERLINK("http://x")' in cells and "'@SUM(A1)" in cells
    assert [cell for cell in cells if cell.startswith(FORMULA_STARTS)] == []
    # the JavaScript that writes the CSV applies the same rule to every cell
    assert embedded(html, "formulaStarts") == list(FORMULA_STARTS)
    assert "csvCell(" in html and "neutralise(value)" in html
    assert '<option value="rfm_segment:@SUM(A1)">' in html


def test_empty_device_tables_give_empty_charts_with_a_reason(serving, tmp_path) -> None:
    copy = variant(
        serving,
        tmp_path,
        "delete from marts.fct_device_sessions",
        "delete from marts.device_daily_summary",
        "delete from marts.device_daily_mix",
    )
    out = tmp_path / "dashboards"
    dashboard.render(copy, tmp_path / "quality", out)
    html = (out / "devices.html").read_text()
    for chart in [
        "device-daily",
        "device-mix",
        "session-depth",
        "screen-classes",
        "memory-classes",
    ]:
        assert (
            f'<div class="chart-empty" id="chart-{chart}">No data: no device logs landed</div>'
        ) in html
    assert 'class="chart"' not in html


def test_a_warehouse_with_empty_marts_renders_only_empty_charts(serving, tmp_path) -> None:
    with duckdb.connect(str(serving / "customer360.duckdb"), read_only=True) as connection:
        tables = connection.execute(
            "select schema_name, table_name from duckdb_tables() "
            "where schema_name in ('marts', 'ml') order by all"
        ).fetchall()
    copy = variant(
        serving, tmp_path, *(f'delete from {schema}."{table}"' for schema, table in tables)
    )
    out = tmp_path / "dashboards"
    dashboard.render(copy, tmp_path / "quality", out)
    for name in FILES:
        html = (out / name).read_text()
        assert 'class="chart"' not in html, name
        assert html.count('class="chart-empty"') >= 3, name
    assert "No data: no purchases before the as-of date" in (out / "index.html").read_text()


def test_quality_page_without_validation_links_the_data_docs_relatively(rendered) -> None:
    html = rendered["quality.html"]
    assert "Not validated yet: run <code>customer360 validate</code>" in html
    assert 'id="data-docs-link" href="../quality/data_docs/index.html"' in html


def test_cli_prints_the_pages_and_refuses_a_missing_serving_copy(serving, tmp_path, capsys) -> None:
    out = tmp_path / "dashboards"
    args = ["dashboard", "--serving-dir", str(serving), "--out", str(out), "--quiet"]
    assert main([*args, "--quality-dir", str(tmp_path / "quality")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [f"wrote {out.resolve() / name}" for name in FILES] + [
        f"open {out.resolve() / 'index.html'}"
    ]
    assert main(["dashboard", "--serving-dir", str(tmp_path / "none"), "--out", str(out)]) == 1
    error = capsys.readouterr().err
    assert "no serving copy yet; run `make run` or `customer360 publish`" in error
    assert "Traceback" not in error
    assert (out / "index.html").is_file()  # the last pages stay
    with pytest.raises(SystemExit) as usage:
        main([*args, "--max-list-rows", "0"])
    assert usage.value.code == 2


def test_pages_name_methods_never_requirement_documents(rendered) -> None:
    """The rendered pages, and the templates and queries (branches the demo data does not
    render too), never cite a requirement document such as "document 003"."""
    sources = sorted(
        path for path in (PROJECT_DIR / "dashboards").rglob("*") if path.suffix in {".j2", ".sql"}
    )
    texts = {name: own_content(html) for name, html in rendered.items()} | {
        str(path.relative_to(PROJECT_DIR)): path.read_text(encoding="utf-8") for path in sources
    }
    assert len(sources) > 10
    cited = {name: REQUIREMENT_CITATION.findall(text) for name, text in texts.items()}
    assert {name: found for name, found in cited.items() if found} == {}


def test_exposures_list_every_model_the_queries_read() -> None:
    exposures = yaml.safe_load((PROJECT_DIR / "models/exposures.yml").read_text())["exposures"]
    declared = {
        exposure["name"].removeprefix("dashboard_"): sorted(
            re.fullmatch(r"ref\('(\w+)'\)", ref).group(1) for ref in exposure["depends_on"]
        )
        for exposure in exposures
    }
    read = {}
    for page in dashboard.PAGES:
        sql = " ".join(
            p.read_text() for p in (PROJECT_DIR / "dashboards/queries" / page.name).glob("*.sql")
        )
        read[page.name] = sorted(set(re.findall(r"\b(?:marts|ml)\.(\w+)", sql)))
    assert declared == read
    assert {exposure["url"] for exposure in exposures} == {
        f"warehouse/dashboards/{name}" for name in FILES
    }


def test_the_roi_page_leads_with_the_decision_and_labels_attributed_and_incremental(
    rendered, serving
) -> None:
    """The retention decision comes first, the Pulse formula last and labelled as set by its
    cost ratio; each campaign's row says whether its figures are incremental or attributed,
    and the cost per incrementally retained customer is campaign_lift's."""
    html = own_content(rendered["roi.html"])
    headings = re.findall(r"<h2>([^<]+)</h2>", html)
    assert headings[0].startswith("Retention decision")
    assert headings[-1] == "Pulse retention ROI formula (ROI set by its cost ratio)"
    assert headings.index("Campaign effect: incremental against control groups") < headings.index(
        "Attributed campaign results"
    )
    with duckdb.connect(str(serving / "customer360.duckdb"), read_only=True) as connection:
        lift = connection.execute(
            "select campaign_id, effect_basis, cost_per_incremental_conversion "
            "from marts.campaign_lift where rfm_segment = 'All segments' order by campaign_id"
        ).fetchall()
        [(saved,)] = connection.execute(
            "select sum(expected_saved_value) from marts.retention_roi_by_segment"
        ).fetchall()
    assert {basis for _, basis, _ in lift} == {"incremental", "attributed"}
    table = html[html.index('<table id="campaign-lift">') :]
    table = table[: table.index("</table>")]
    rows = re.findall(r"<tr><td>(\w+) · [^<]*</td><td>(\w+)</td>", table)
    assert rows == [(campaign, basis) for campaign, basis, _ in lift]
    for campaign, basis, cost in lift:
        if basis == "incremental" and cost is not None:
            assert f"{campaign}: cost per incrementally retained customer" in html
            assert f"{float(cost):,.2f}" in html
    decision = html[: html.index("Campaign effect")]
    assert f"{float(saved):,.0f}" in decision


def test_the_churn_page_warns_when_the_model_is_no_better_than_recency(serving, tmp_path) -> None:
    """The warning follows `beats_recency_baseline` of the current run: absent when the
    model beats recency, shown with both AUCs when it does not."""
    with duckdb.connect(str(serving / "customer360.duckdb"), read_only=True) as connection:
        [(auc, recency_auc, beats)] = connection.execute(
            "select auc, recency_baseline_auc, beats_recency_baseline "
            "from ml.churn_model_runs where is_current"
        ).fetchall()
        drivers = connection.execute(
            "select predictions.top_driver_1_text from marts.churn_predictions as predictions "
            "join marts.customer_360 as customers using (customer_id) "
            "where customers.risk_band = 'high' order by customers.monetary desc, customer_id "
            "limit 1"
        ).fetchall()
    assert beats is not None
    pages = {}
    for flag in (True, False):
        (tmp_path / str(flag)).mkdir()
        copy = variant(
            serving,
            tmp_path / str(flag),
            f"update ml.churn_model_runs set beats_recency_baseline = {flag} where is_current",
        )
        dashboard.render(copy, tmp_path / str(flag) / "quality", tmp_path / str(flag) / "out")
        pages[flag] = (tmp_path / str(flag) / "out" / "churn.html").read_text(encoding="utf-8")
    assert 'id="no-better-than-recency"' not in pages[True]
    warning = re.search(
        r'<p class="advice" id="no-better-than-recency">(.*?)</p>', pages[False], re.S
    )
    assert warning, "no warning on the churn page"
    assert "no better than recency" in warning.group(1)
    assert f"{auc:,.3f}" in warning.group(1) and f"{recency_auc:,.3f}" in warning.group(1)
    # the top customer of the at-risk list shows the drivers of their score
    assert drivers and drivers[0][0]
    assert html_escape(drivers[0][0]) in pages[True]
    calibration = embedded(pages[True], "calibration")
    assert calibration and {"mean_probability", "observed_churn_rate"} <= set(calibration[0])
