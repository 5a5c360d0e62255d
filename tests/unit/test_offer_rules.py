"""Every rule of the seed `offer_rules` can fire: for each rule some customer — a
combination of RFM segment, risk band and tier from their seeds, each also missing — gets
it as the first match. The match is the join condition of `retention_offers` itself, read
from the model and run in DuckDB, so the rule language is written once. A rule shadowed by
earlier ones (added later, or reordered) fails here, before any build. A rule that fires
only for combinations real customers do not have (Lost customers at low risk) passes here;
the unit tests of retention_offers give each rule its typical customer."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb
import pytest

from customer360.project import project_dir

SEEDS = project_dir() / "seeds"
MODEL = project_dir() / "models/marts/marketing/retention_offers.sql"


def match_condition() -> str:
    """The join condition of the model's `matched` step (customers against rules)."""
    text = MODEL.read_text(encoding="utf-8")
    found = re.search(r"inner join rules\s+on\s+(.*?)\s+group by", text, re.S)
    assert found, "retention_offers.sql: no 'inner join rules on … group by' step"
    return found.group(1)


def first_matches(rules_csv: Path) -> duckdb.DuckDBPyConnection:
    """For every combination of segment, band and tier (each also missing), the first rule
    that matches it (null when none does), in a table `first_match`."""
    con = duckdb.connect()
    con.execute(f"create table rules as select * from read_csv('{rules_csv}', header = true)")
    domains = {
        "rfm_segment": SEEDS / "rfm_segments.csv",
        "risk_band": SEEDS / "churn_risk_bands.csv",
        "tier": SEEDS / "loyalty_tiers.csv",
    }
    for column, seed in domains.items():
        con.execute(
            f"create table {column}s as select {column} from read_csv('{seed}', header = true)"
            f" union all select null"
        )
    con.execute("create table customers as select * from rfm_segments, risk_bands, tiers")
    con.execute(
        f"""
        create table first_match as
        select customers.rfm_segment, customers.risk_band, customers.tier,
            min(rules.rule_order) as rule_order
        from customers
        left join rules on {match_condition()}
        group by all
        """
    )
    return con


def unreachable_rules(rules_csv: Path) -> list[tuple]:
    con = first_matches(rules_csv)
    return con.execute(
        "select * from rules where rule_order not in (select rule_order from first_match"
        " where rule_order is not null) order by rule_order"
    ).fetchall()


def test_every_offer_rule_is_the_first_match_of_some_customer() -> None:
    assert unreachable_rules(SEEDS / "offer_rules.csv") == []


def test_every_customer_gets_an_offer() -> None:
    con = first_matches(SEEDS / "offer_rules.csv")
    assert con.execute("select * from first_match where rule_order is null").fetchall() == []


def test_a_shadowed_rule_is_caught(tmp_path: Path) -> None:
    """The check above can fail: a rule that only narrows an earlier one never fires."""
    rules = tmp_path / "offer_rules.csv"
    shutil.copy(SEEDS / "offer_rules.csv", rules)
    with rules.open("a", encoding="utf-8") as file:
        file.write("99,Lost,high,Gold,25,sms,last_chance\n")
    con = first_matches(rules)
    [(lost_rule,)] = con.execute(
        "select min(rule_order) from rules where rfm_segment = 'Lost'"
    ).fetchall()
    assert lost_rule < 99
    assert [row[0] for row in unreachable_rules(rules)] == [99]


@pytest.fixture(scope="module")
def rules_and_templates() -> list[tuple]:
    return duckdb.sql(
        f"""
        select rules.rule_order, rules.discount_pct, templates.message_template
        from read_csv('{SEEDS / "offer_rules.csv"}', header = true) as rules
        inner join read_csv('{SEEDS / "offer_message_templates.csv"}', header = true)
            as templates on rules.template_key = templates.template_key
        """
    ).fetchall()


def test_a_message_naming_the_tier_offers_the_tiers_reward(rules_and_templates) -> None:
    """Only rules without a discount of their own (they give the tier's reward) may use
    a template that names the tier: "As a Platinum member, enjoy 10 % off" cannot happen."""
    naming_the_tier = [row for row in rules_and_templates if "{tier}" in row[2]]
    assert naming_the_tier, "no template names {tier}: the check checks nothing"
    assert [row[0] for row in naming_the_tier if row[1] is not None] == []


def test_each_tier_reward_names_the_tiers_discount() -> None:
    """The tier's reward text (shown on the segments page) and its discount (in offers)
    agree."""
    tiers = duckdb.sql(
        f"select tier, reward, discount_pct from read_csv('{SEEDS / 'loyalty_tiers.csv'}')"
    ).fetchall()
    assert [
        tier for tier, reward, pct in tiers if not re.search(rf"\b{pct}% discount", reward)
    ] == []
