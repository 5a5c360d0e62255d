"""The segments page's customer movement and cohort retention tables, recomputed from the
serving copy without the marts they are rendered from: the tier migration from the segment
history, the cohort retention from the orders."""

from __future__ import annotations

import re
from collections import Counter

import duckdb

from customer360.dashboard import MISSING
from tests.unit.test_dashboard import rendered, serving  # noqa: F401  (module fixtures)

CELL = re.compile(r'<td class="n[^"]*"(?: style="[^"]*" title="([\d,]+) [^"]*")?>(?:<i>)?([^<]*)')


def table(html: str, opening: str) -> tuple[list[str], dict[str, list[tuple[str, str]]]]:
    """The column headers after the count column, and per row label its cells
    (count from the title, shown text)."""
    start = html.index(opening)
    body = html[start : html.index("</table>", start)]
    headers = re.findall(r'<th class="n">([^<]*)</th>', body)[1:]
    rows = {}
    for label, cells in re.findall(r"<tr><td>([^<]*?)(?: <span.*?)?</td>(.*?)</tr>", body, re.S):
        rows[label] = CELL.findall(cells)[1:]
    return headers, rows


def test_tier_migration_matches_the_segment_history(rendered, serving) -> None:  # noqa: F811
    with duckdb.connect(str(serving / "customer360.duckdb"), read_only=True) as connection:
        history = connection.execute(
            "select customer_id, period_end, tier from marts.customer_segment_history "
            "where period_end in (select distinct period_end from marts.customer_segment_history "
            "order by period_end desc limit 2) and tier is not null"
        ).fetchall()
    ends = sorted({period_end for _, period_end, _ in history})
    assert len(ends) == 2  # the demo build has a history from its first build
    tier_at = {(customer, end): tier for customer, end, tier in history}
    pairs = Counter(
        (tier_at[customer, ends[0]], tier_at[customer, ends[1]])
        for customer, end, _ in history
        if end == ends[0] and (customer, ends[1]) in tier_at
    )
    from_totals = Counter()
    for (from_tier, _), count in pairs.items():
        from_totals[from_tier] += count
    html = rendered["segments.html"]
    assert f"at {ends[0]} are at {ends[1]}" in html
    headers, rows = table(html, '<table class="migration" data-segment-kind="tier">')
    assert sorted(rows) == sorted(from_totals)
    assert any(from_tier != to_tier for from_tier, to_tier in pairs)  # someone moved
    for from_tier, cells in rows.items():
        assert len(cells) == len(headers)
        for to_tier, (count, shown) in zip(headers, cells, strict=True):
            expected = pairs.get((from_tier, to_tier), 0)
            assert int(count.replace(",", "") or 0) == expected, (from_tier, to_tier)
            share = f"{expected / from_totals[from_tier] * 100:,.1f} %" if expected else MISSING
            assert shown == share, (from_tier, to_tier)


def test_cohort_retention_matches_the_orders(rendered, serving) -> None:  # noqa: F811
    """Per cohort month (first purchase of a known customer), the share of the cohort with
    a purchase in each month since, from the order facts."""
    with duckdb.connect(str(serving / "customer360.duckdb"), read_only=True) as connection:
        purchases = connection.execute(
            "select customer_id, strftime(date_trunc('month', ordered_at), '%Y-%m') "
            # the demo build's as-of date is the day after the last order: every order counts
            "from marts.fct_orders where is_purchase and customer_id is not null"
        ).fetchall()
    first = {}
    for customer, month in sorted(purchases, key=lambda row: row[1]):
        first.setdefault(customer, month)
    cohort_size = Counter(first.values())
    active = {(first[customer], month, customer) for customer, month in purchases}

    def offset(cohort: str, month: str) -> int:
        return (int(month[:4]) - int(cohort[:4])) * 12 + int(month[5:]) - int(cohort[5:])

    active_count = Counter((cohort, offset(cohort, month)) for cohort, month, _ in active)
    headers, rows = table(rendered["segments.html"], '<table id="cohort-retention">')
    assert list(rows) == sorted(cohort_size)[-12:]
    assert headers == [str(month) for month in range(12)]
    for cohort, cells in rows.items():
        for months_since, (count, shown) in zip(headers, cells, strict=False):
            expected = active_count[cohort, int(months_since)]
            assert int(count.replace(",", "")) == expected, (cohort, months_since)
            assert shown == f"{expected / cohort_size[cohort] * 100:,.1f} %"
    assert rows[sorted(rows)[-2]][1][1] != "100.0 %"  # a later month is not everyone


def test_the_latest_month_ends_risk_bands_are_the_predictions_when_the_as_of_date_follows_it(
    serving,  # noqa: F811
) -> None:
    """A month end's risk band is the production model's score of that day's features:
    when the as-of date is the day after the last stored month end, those features are the
    as-of snapshot's, so every customer's band there equals churn_predictions' (a wrong
    feature column or model in the history's scoring breaks it)."""
    with duckdb.connect(str(serving / "customer360.duckdb"), read_only=True) as connection:
        [(as_of, last_end)] = connection.execute(
            "select (select as_of_date from marts.customer_360 limit 1), "
            "max(period_end) from marts.customer_risk_band_history"
        ).fetchall()
        history = dict(
            connection.execute(
                "select customer_id, risk_band from marts.customer_risk_band_history "
                "where period_end = ?",
                [last_end],
            ).fetchall()
        )
        predictions = dict(
            connection.execute(
                "select customer_id, risk_band from marts.churn_predictions"
            ).fetchall()
        )
    assert (as_of - last_end).days == 1  # the demo's history ends the day before
    assert history and history == predictions
