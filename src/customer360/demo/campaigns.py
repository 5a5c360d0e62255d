"""The demo campaigns and whom they contact: the customers of their target segment,
some of whom buy within two weeks, and a control group of each audience that is held out.

The planted campaign effect: a contacted (treated) customer places one extra order one to
thirteen days after the contact with the campaign's `response` probability, on top of the
orders the customer places anyway; a control customer, assigned like the others but not
contacted, never does. The extra orders are the campaign's true incremental orders (the
demo generator reports them, `generate(..., planted_orders=...)`), which campaign_lift
estimates from the treated - control difference alone."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from customer360.demo.common import DAY, GLOBAL_STREAM, day_of, money, timestamps
from customer360.demo.customers import ORDER_RATE_MEDIAN, ORDER_RATE_SIGMA, People


@dataclass(frozen=True)
class Campaign:
    campaign_id: str
    name: str
    channel: str
    target_segment: str
    starts: str  # date
    days: int
    discount_pct: float
    response: float  # share of contacted customers who place an extra order (the effect)
    contact_cost: float


# Share of each campaign's reached audience held out as a control group (not contacted).
CONTROL_SHARE = 0.2


CAMPAIGNS = [
    Campaign("CMP01", "Spring win-back", "email", "At Risk", "2025-03-03", 21, 20, 0.08, 0.02),
    Campaign("CMP02", "VIP early access", "email", "Champions", "2025-05-12", 14, 10, 0.3, 0.02),
    Campaign(
        "CMP03", "Summer bundle SMS", "sms", "Potential Loyalists", "2025-06-16", 21, 15, 0.12, 0.08
    ),
    Campaign("CMP04", "Welcome banner", "web", "New Customers", "2025-08-04", 28, 5, 0.1, 0.01),
    Campaign(
        "CMP05", "Autumn re-engagement", "email", "Hibernating", "2025-09-22", 21, 30, 0.04, 0.02
    ),
    Campaign(
        "CMP06", "Black Friday loyalty", "email", "Loyal Customers", "2025-11-24", 7, 25, 0.2, 0.02
    ),
]


def make_campaigns(seed: int) -> pa.Table:
    rng = np.random.default_rng([seed, GLOBAL_STREAM + 1])
    starts = np.array([day_of(c.starts) for c in CAMPAIGNS]) * DAY + 8 * 3600
    return pa.table(
        {
            "campaign_id": [c.campaign_id for c in CAMPAIGNS],
            "campaign_name": [c.name for c in CAMPAIGNS],
            "channel": [c.channel for c in CAMPAIGNS],
            "target_segment": [c.target_segment for c in CAMPAIGNS],
            "offer_discount_pct": pa.array([float(c.discount_pct) for c in CAMPAIGNS]).cast(
                pa.decimal128(5, 2)
            ),
            "started_at": timestamps(starts),
            "ended_at": timestamps(starts + np.array([c.days for c in CAMPAIGNS]) * DAY - 1),
            "cost": money(np.round(rng.uniform(800, 4000, len(CAMPAIGNS)), -1)),
        }
    )


@dataclass
class Contacts:
    """Campaign contacts of one chunk; `responded` customers place an extra order within
    two weeks; `control` customers are held out (not contacted, never respond)."""

    campaign: np.ndarray  # index into CAMPAIGNS
    customer: np.ndarray  # index into the chunk's people
    at: np.ndarray  # seconds (for a control: when it was assigned to the holdout)
    responded: np.ndarray
    control: np.ndarray


def campaign_audience(campaign: Campaign, people: People, start: int) -> np.ndarray:
    """Who a campaign targets on its first day, by a rough reading of its segment."""
    known = people.signup < start
    buyer = known & people.buys
    active = buyer & (people.end > start)
    lapsed = buyer & (people.end <= start)
    frequent = people.rate > ORDER_RATE_MEDIAN * np.exp(0.85 * ORDER_RATE_SIGMA)  # top fifth
    audiences = {
        "At Risk": lapsed & (people.end > start - 300),
        "Hibernating": lapsed & (people.end <= start - 300),
        "Champions": active & frequent,
        "Loyal Customers": active & (people.signup < start - 365),
        "Potential Loyalists": active & ~frequent & (people.signup >= start - 365),
        "New Customers": known & (people.signup >= start - 60),
    }
    return audiences[campaign.target_segment]


def make_contacts(rng: np.random.Generator, people: People) -> Contacts:
    """Each campaign reaches 70 % of its audience in its first three days; a random
    CONTROL_SHARE of those is held out instead of contacted."""
    parts = []
    for index, campaign in enumerate(CAMPAIGNS):
        start = day_of(campaign.starts)
        reached = rng.random(len(people.ids)) < 0.7
        chosen = np.flatnonzero(campaign_audience(campaign, people, start) & reached)
        day = start + rng.integers(0, 3, len(chosen))
        at = day * DAY + rng.integers(8 * 3600, 20 * 3600, len(chosen))
        draws = rng.random((2, len(chosen)))
        parts.append((np.full(len(chosen), index), chosen, at, draws[0], draws[1] < CONTROL_SHARE))
    campaign, customer, at, draw, control = (
        np.concatenate(column) for column in zip(*parts, strict=True)
    )
    response = np.array([c.response for c in CAMPAIGNS])[campaign]
    return Contacts(campaign, customer, at, (draw < response) & ~control, control)


def contacts_table(rng: np.random.Generator, people: People, contacts: Contacts) -> pa.Table:
    cost = np.array([c.contact_cost for c in CAMPAIGNS])[contacts.campaign]
    return pa.table(
        {
            "campaign_id": np.array([c.campaign_id for c in CAMPAIGNS])[contacts.campaign],
            "customer_id": people.ids[contacts.customer],
            "contacted_at": timestamps(contacts.at),
            # a control was not contacted: no cost
            "cost": money(cost, mask=(rng.random(len(cost)) < 0.05) | contacts.control),
            "is_control": contacts.control,
        }
    )
