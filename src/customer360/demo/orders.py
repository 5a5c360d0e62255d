"""The demo orders and their lines: when each customer orders, online or in a store,
and what is in the basket."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from customer360.demo.campaigns import Contacts
from customer360.demo.common import (
    DAY,
    ONLINE_HOURS,
    STORES,
    WINDOW_DAYS,
    money,
    numbered,
    position_in_group,
    timestamps,
)
from customer360.demo.customers import People
from customer360.demo.products import PRODUCTS, Catalogue

MAX_LINES = 6
STATUS_SHARES = {"completed": 0.92, "returned": 0.05, "cancelled": 0.03}
GUEST_SHARE = 0.01


@dataclass
class Orders:
    table: pa.Table
    owner: np.ndarray  # index into the chunk's people (guest checkouts too)
    online: np.ndarray
    completed: np.ndarray
    planted: np.ndarray  # the extra orders of campaign responses (the planted effect)


def order_days(rng: np.random.Generator, people: People) -> tuple[np.ndarray, np.ndarray]:
    """Each buyer's order days: a first order soon after signing up, then a Poisson number
    of orders spread uniformly over their active life."""
    span = np.maximum(people.end - people.signup, 1)
    count = np.where(people.buys, 1 + rng.poisson(people.rate * span), 0)
    owner = np.repeat(np.arange(len(people.ids)), count)
    day = people.signup[owner] + (rng.random(len(owner)) * span[owner]).astype(np.int64)
    first_day = people.signup[owner] + rng.geometric(0.15, len(owner)) - 1
    first = position_in_group(count) == 0
    day = np.where(first, np.minimum(first_day, people.end[owner] - 1), day)
    return owner, day


def make_orders(
    rng: np.random.Generator, people: People, contacts: Contacts, first_order: int
) -> Orders:
    owner, day = order_days(rng, people)
    # campaign responses: an online order one to thirteen days after the contact
    responders = contacts.customer[contacts.responded]
    response_day = contacts.at[contacts.responded] // DAY + rng.integers(1, 14, len(responders))
    in_window = response_day < WINDOW_DAYS
    owner = np.concatenate([owner, responders[in_window]])
    day = np.concatenate([day, response_day[in_window]])
    count = len(owner)
    planted = np.arange(count) >= count - in_window.sum()
    online = rng.random(count) >= people.store_share[owner]
    online[planted] = True
    hours = np.array(ONLINE_HOURS) / sum(ONLINE_HOURS)
    hour = np.where(online, rng.choice(24, count, p=hours), rng.integers(9, 20, count))
    seconds = day * DAY + hour * 3600 + rng.integers(0, 3600, count)
    by_time = np.lexsort((seconds, owner))  # each customer's orders in time order
    owner, seconds, online = owner[by_time], seconds[by_time], online[by_time]
    planted = planted[by_time]

    number = first_order + np.arange(count)
    guest = rng.random(count) < GUEST_SHARE
    status = rng.choice(list(STATUS_SHARES), count, p=list(STATUS_SHARES.values()))
    store = np.where(
        rng.random(count) < 0.85, people.home_store[owner], rng.integers(1, STORES + 1, count)
    )
    table = pa.table(
        {
            "order_id": numbered("O", number, 9),
            "customer_id": np.where(guest, numbered("G", number, 9), people.ids[owner]),
            "ordered_at": timestamps(seconds),
            "channel": np.where(online, "online", "store"),
            "store_id": pa.array(numbered("ST", store, 2), mask=online),
            "status": status,
        }
    )
    return Orders(table, owner, online, status == "completed", planted)


def make_order_items(
    rng: np.random.Generator, catalogue: Catalogue, people: People, orders: Orders
) -> tuple[pa.Table, np.ndarray]:
    """Order lines; returns the table and the units sold per product (completed orders)."""
    count = len(orders.owner)
    draws = np.minimum(1 + rng.poisson(people.basket[orders.owner]), MAX_LINES)
    order = np.repeat(np.arange(count), draws)
    product = rng.choice(PRODUCTS, len(order), p=catalogue.popularity)
    pulled = rng.random(len(order)) < catalogue.pull[product]
    order = np.concatenate([order, order[pulled]])
    product = np.concatenate([product, catalogue.partner[product[pulled]]])
    # one line per product of an order, in the order drawn (partners last), at most six
    _, first = np.unique(order * PRODUCTS + product, return_index=True)
    keep = first[np.lexsort((first, order[first]))]
    order, product = order[keep], product[keep]
    line = position_in_group(np.bincount(order, minlength=count))
    kept = line < MAX_LINES
    order, product, line = order[kept], product[kept], line[kept]

    lines = len(order)
    quantity = np.minimum(1 + rng.poisson(0.45, lines), 10)
    price = catalogue.price[product]
    discounted = rng.random(lines) < 0.15
    discount = np.where(
        discounted, np.round(price * quantity * rng.uniform(0.05, 0.3, lines), 2), 0
    )
    own_cost = rng.random(lines) < 0.1
    table = pa.table(
        {
            "order_id": orders.table["order_id"].to_numpy(zero_copy_only=False)[order],
            "line_number": line + 1,
            "product_id": catalogue.ids[product],
            "quantity": quantity,
            "unit_price": money(price),
            "discount_amount": money(discount),
            "unit_cost": money(catalogue.cost[product] * rng.uniform(0.9, 1.1, lines), ~own_cost),
        }
    )
    sold = orders.completed[order]
    units = np.bincount(product[sold], weights=quantity[sold], minlength=PRODUCTS)
    return table, units
