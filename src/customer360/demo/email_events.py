"""The demo e-mail events: newsletter and campaign sends, then bounces, opens, clicks
and unsubscribes."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from customer360.demo.campaigns import CAMPAIGNS, Contacts
from customer360.demo.common import DAY, START, WINDOW_DAYS, position_in_group, timestamps
from customer360.demo.customers import People

NEWSLETTER_DAYS = np.arange(6, WINDOW_DAYS, 28)  # every fourth Saturday
NEWSLETTER_IDS = np.char.add(
    "NL-", np.datetime_as_string(START.astype("datetime64[D]") + NEWSLETTER_DAYS)
)


def make_email_events(rng: np.random.Generator, people: People, contacts: Contacts) -> pa.Table:
    """Newsletter and e-mail campaign sends, then bounces, opens, clicks and unsubscribes."""
    n = len(people.ids)
    propensity = rng.beta(1.6, 3.4, n)  # chance to open an e-mail, mean 0.32
    subscribed = rng.random(n) < 0.4
    first_issue = np.searchsorted(NEWSLETTER_DAYS, people.signup, side="right")
    issues = np.where(subscribed, len(NEWSLETTER_DAYS) - first_issue, 0)
    owner = np.repeat(np.arange(n), issues)
    issue = first_issue[owner] + position_in_group(issues)
    sent = NEWSLETTER_DAYS[issue] * DAY + 9 * 3600 + rng.integers(0, 1800, len(owner))
    campaign = NEWSLETTER_IDS[issue]
    responded = np.zeros(len(owner), bool)

    # control (holdout) customers get no campaign e-mail
    by_email = np.array([c.channel == "email" for c in CAMPAIGNS])[contacts.campaign]
    by_email &= ~contacts.control
    owner = np.concatenate([owner, contacts.customer[by_email]])
    sent = np.concatenate([sent, contacts.at[by_email]])
    campaign_ids = np.array([c.campaign_id for c in CAMPAIGNS])
    campaign = np.concatenate([campaign, campaign_ids[contacts.campaign[by_email]]])
    responded = np.concatenate([responded, contacts.responded[by_email]])

    count = len(owner)
    faded = sent // DAY > people.end[owner] + 30  # interest fades once they stopped buying
    chance = np.where(responded, 0.9, propensity[owner] * np.where(faded, 0.25, 1.0))
    bounced = rng.random(count) < 0.015
    opened = ~bounced & (rng.random(count) < chance)
    clicked = opened & (rng.random(count) < np.where(responded, 0.7, 0.25))
    unsubscribed = opened & ~clicked & ~responded & (rng.random(count) < 0.02)
    open_at = sent + 60 + np.minimum(rng.exponential(6 * 3600, count), 72 * 3600).astype(np.int64)
    unsubscribe_at = open_at + rng.integers(20, 300, count)
    # nothing is sent after an unsubscribe
    stop = np.full(n, np.iinfo(np.int64).max)
    np.minimum.at(stop, owner[unsubscribed], unsubscribe_at[unsubscribed])
    mailed = sent < stop[owner]

    parts = [
        ("sent", mailed, sent),
        ("bounce", mailed & bounced, sent + rng.integers(1, 120, count)),
        ("open", mailed & opened, open_at),
        ("click", mailed & clicked, open_at + rng.integers(5, 900, count)),
        ("unsubscribe", mailed & unsubscribed, unsubscribe_at),
    ]
    who = np.concatenate([owner[mask] for _, mask, _ in parts])
    at = np.concatenate([time[mask] for _, mask, time in parts])
    kind = np.concatenate([np.full(mask.sum(), name) for name, mask, _ in parts])
    which = np.concatenate([campaign[mask] for _, mask, _ in parts])
    kept = at < WINDOW_DAYS * DAY
    return pa.table(
        {
            "customer_id": people.ids[who[kept]],
            "event_at": timestamps(at[kept]),
            "event_type": kind[kept],
            "campaign_id": which[kept],
        }
    )
