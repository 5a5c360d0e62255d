"""campaign_lift recovers the campaign effect the demo generator planted.

The demo holds out a control group of every campaign's audience and gives treated
customers extra orders (customer360.demo.campaigns); the generator reports those planted
orders. The true effect of a campaign is then known exactly, without the control group:
its incremental conversions are the treated contacts who bought in the window only
through a planted order, its incremental revenue the revenue of the planted purchases in
the windows. The mart sees none of that: it estimates both from treated - control alone,
and each interval must hold the truth.
"""

from __future__ import annotations

import math
import statistics
from pathlib import Path

import duckdb
import pytest
import yaml

from customer360.demo import generate
from tests.helpers import PROJECT_DIR, Build

pytestmark = pytest.mark.integration

# the arguments of conftest's demo_landing
CUSTOMERS, SEED = 1500, 7


def true_effects(build: Build, planted: list[str]) -> dict[str, tuple[int, float]]:
    """Per campaign: (incremental conversions, incremental revenue) of its treated contacts,
    from the planted orders."""
    with build.connect() as connection:
        connection.execute("create temp table planted as select unnest(?) as order_id", [planted])
        rows = connection.execute(
            """
            with treated as (
                select campaign_id, customer_id, contacted_at
                from staging.stg_campaign_contacts
                where
                    not is_control
                    and contacted_at < (select as_of_date from intermediate.int_as_of_date)
            ),

            in_window as (
                select
                    treated.campaign_id,
                    treated.customer_id,
                    treated.contacted_at,
                    orders.order_id in (select order_id from planted) as is_planted,
                    orders.revenue
                from treated
                inner join marts.fct_orders as orders
                    on
                        treated.customer_id = orders.customer_id
                        and orders.is_purchase
                        and orders.ordered_at >= treated.contacted_at
                        and orders.ordered_at < treated.contacted_at + interval 14 day
            ),

            per_contact as (
                select
                    campaign_id,
                    bool_and(is_planted) as only_planted,
                    sum(revenue) filter (where is_planted) as planted_revenue
                from in_window
                group by campaign_id, customer_id, contacted_at
            )

            select
                campaign_id,
                count(*) filter (where only_planted),
                coalesce(sum(planted_revenue), 0)
            from per_contact
            group by campaign_id
            """
        ).fetchall()
    return {campaign: (conversions, float(revenue)) for campaign, conversions, revenue in rows}


def recomputed_lifts(build: Build, z: float) -> dict[str, tuple[float, ...]]:
    """Per campaign with both groups: incremental conversions and revenue and their interval
    ends, recomputed in Python from the staged contacts and the orders."""
    contacts = build.query(
        """
        select
            contacts.campaign_id,
            contacts.is_control,
            count(orders.order_id) > 0,
            coalesce(sum(orders.revenue), 0)
        from staging.stg_campaign_contacts as contacts
        left join marts.fct_orders as orders
            on
                contacts.customer_id = orders.customer_id
                and orders.is_purchase
                and orders.ordered_at >= contacts.contacted_at
                and orders.ordered_at < contacts.contacted_at + interval 14 day
        where contacts.contacted_at < (select as_of_date from intermediate.int_as_of_date)
        group by contacts.campaign_id, contacts.customer_id, contacts.contacted_at,
            contacts.is_control
        """
    )
    lifts = {}
    for campaign in {row[0] for row in contacts}:
        groups = [
            [(converted, float(revenue)) for c, control, converted, revenue in contacts
             if c == campaign and control == is_control]
            for is_control in (False, True)
        ]  # fmt: skip
        if not all(groups):
            continue
        (n_t, n_c) = (len(group) for group in groups)
        p_t, p_c = (sum(converted for converted, _ in group) / len(group) for group in groups)
        r_t, r_c = (statistics.fmean(revenue for _, revenue in group) for group in groups)
        v_t, v_c = (statistics.variance([revenue for _, revenue in group]) for group in groups)
        conversion_error = math.sqrt(p_t * (1 - p_t) / n_t + p_c * (1 - p_c) / n_c)
        revenue_error = math.sqrt(v_t / n_t + v_c / n_c)
        lifts[campaign] = (
            (p_t - p_c) * n_t,
            (p_t - p_c - z * conversion_error) * n_t,
            (p_t - p_c + z * conversion_error) * n_t,
            (r_t - r_c) * n_t,
            (r_t - r_c - z * revenue_error) * n_t,
            (r_t - r_c + z * revenue_error) * n_t,
        )
    return lifts


@pytest.fixture(scope="module")
def planted_orders(demo_landing: Path, tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The planted orders of the demo data, from a second, identical generation."""
    planted: list[str] = []
    again = tmp_path_factory.mktemp("demo_again") / "landing"
    generate(again, CUSTOMERS, SEED, progress=False, planted_orders=planted)
    with duckdb.connect() as connection:
        same = connection.execute(
            f"select count(*) from (select * from '{demo_landing}/orders/*.parquet' "
            f"except all select * from '{again}/orders/*.parquet')"
        ).fetchall()
    assert same == [(0,)], "the demo is not deterministic: the planted orders would not match"
    return planted


def incremental_rows(build: Build) -> list[tuple]:
    return build.query(
        """
        select
            campaign_id,
            incremental_conversions, incremental_conversions_low, incremental_conversions_high,
            incremental_revenue, incremental_revenue_low, incremental_revenue_high
        from marts.campaign_lift
        where rfm_segment = 'All segments' and effect_basis = 'incremental'
        order by campaign_id
        """
    )


def test_the_lift_intervals_hold_the_planted_effect(demo_build: Build, planted_orders) -> None:
    truth = true_effects(demo_build, planted_orders)
    rows = incremental_rows(demo_build)
    assert len(rows) >= 3, "the demo should have campaigns with enough controls"
    for campaign, _, conversions_low, conversions_high, _, revenue_low, revenue_high in rows:
        conversions, revenue = truth.get(campaign, (0, 0.0))
        assert conversions > 0, campaign
        assert conversions_low <= conversions <= conversions_high, campaign
        assert float(revenue_low) <= revenue <= float(revenue_high), campaign


def test_the_lift_is_treated_minus_control_with_its_normal_interval(demo_build: Build) -> None:
    """The estimates and interval ends, recomputed independently (Wald interval of the
    conversion difference, Welch standard error of the revenue difference, z = 1.96)."""
    project = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    expected = recomputed_lifts(demo_build, project["vars"]["campaign_lift_interval_z"])
    rows = incremental_rows(demo_build)
    assert rows
    for campaign, *figures in rows:
        assert [float(value) for value in figures] == pytest.approx(expected[campaign], abs=1e-3), (
            campaign
        )


def test_campaigns_without_enough_controls_are_attributed_with_null_effects(
    demo_build: Build,
) -> None:
    project = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    minimum = project["vars"]["campaign_lift_min_group_contacts"]
    rows = demo_build.query(
        """
        select
            campaign_id, rfm_segment, effect_basis, treated_contacts, control_contacts,
            incremental_revenue, incremental_conversions, incremental_roi_pct
        from marts.campaign_lift
        order by campaign_id, rfm_segment
        """
    )
    counts = dict(
        demo_build.query(
            "select campaign_id, count(*) filter (where is_control) "
            "from marts.campaign_contact_outcomes group by campaign_id"
        )
    )
    campaign_rows = [row for row in rows if row[1] == "All segments"]
    assert {row[0] for row in campaign_rows} == set(counts)
    for campaign, segment, basis, treated, control, *effects in rows:
        incremental = treated >= minimum and control >= minimum
        assert basis == ("incremental" if incremental else "attributed"), (campaign, segment)
        if segment == "All segments":
            assert control == counts[campaign]
        else:
            assert incremental, "a segment row needs enough contacts in both groups"
        assert all(value is None for value in effects) == (not incremental), campaign
    assert {row[2] for row in campaign_rows} == {"incremental", "attributed"}
