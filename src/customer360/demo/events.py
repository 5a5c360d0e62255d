"""The demo event stream: banking / telecom-style events for some of the customers."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from customer360.demo.common import DAY, WINDOW_DAYS, money, timestamps
from customer360.demo.customers import People

EVENT_TYPES = [
    "login",
    "transaction",
    "data_usage",
    "support_contact",
    "billing_complaint",
    "payment_delay",
]
EVENT_WEIGHTS = {
    False: [0.46, 0.26, 0.17, 0.06, 0.03, 0.02],  # customers who keep buying
    True: [0.36, 0.2, 0.14, 0.13, 0.09, 0.08],  # churners
}


def make_events(rng: np.random.Generator, people: People) -> pa.Table:
    """A banking / telecom-style stream for an eighth of the customers, about 12 events
    each; churners go quiet after they stop buying and complain or pay late more often."""
    members = np.flatnonzero(rng.random(len(people.ids)) < 0.125)
    owner = np.repeat(members, rng.poisson(12, len(members)))
    span = WINDOW_DAYS - people.signup[owner]
    day = people.signup[owner] + (rng.random(len(owner)) * span).astype(np.int64)
    quiet = (day >= people.end[owner]) & (rng.random(len(owner)) < 0.7)
    owner, day = owner[~quiet], day[~quiet]
    cumulative = np.cumsum([EVENT_WEIGHTS[False], EVENT_WEIGHTS[True]], axis=1)
    cumulative /= cumulative[:, -1:]
    draw = rng.random(len(owner))
    kind = (draw[:, None] > cumulative[people.churner[owner].astype(int)]).sum(axis=1)
    seconds = day * DAY + rng.integers(0, DAY, len(owner))
    # one event per customer, second and type: drop the rare collisions, sort by customer
    _, unique = np.unique((owner * WINDOW_DAYS * DAY + seconds) * 8 + kind, return_index=True)
    owner, seconds, kind = owner[unique], seconds[unique], kind[unique]
    amount = np.select(
        [kind == EVENT_TYPES.index("transaction"), kind == EVENT_TYPES.index("data_usage")],
        [rng.gamma(2.0, 35.0, len(kind)), rng.gamma(3.0, 0.7, len(kind))],
        np.nan,
    )
    return pa.table(
        {
            "customer_id": people.ids[owner],
            "event_at": timestamps(seconds),
            "event_type": np.array(EVENT_TYPES)[kind],
            "amount": money(amount, mask=np.isnan(amount)),
        }
    )
