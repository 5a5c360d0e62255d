"""`customer360 demo`: a deterministic, realistic demo landing zone.

Writes every entity of the landing contract as Parquet (`<landing>/<entity>/part-*.parquet`)
from nothing but `--customers` and `--seed`: the same arguments give the same files, and
no wall clock is read (history runs from 2023-01-01 to 2025-12-31).

The shape the marts and models need:
- purchase rates are heavy-tailed (log-normal per customer); a tenth of the customers never
  buy; about 40 % stop buying at some point (churn), many buy once;
- orders are online or in one of ten stores; ~5 % are returned and ~3 % cancelled;
- product popularity follows a power law, and a few popular products pull a partner
  product into the basket, so some pairs reach 10 % support (Apriori's default);
- stock receipts follow sales, but a fifth of the catalogue (including a bundle partner)
  is over-stocked: it has sold less than 60 % of what was received (dead stock);
- e-mail campaigns and a newsletter produce sends, opens and clicks from a per-customer
  propensity; web sessions log device type, screen size and memory, a third of them by
  anonymous visitors; a tenth of the customers have a banking-style event stream.

Customers are generated in chunks, each seeded from (seed, chunk number) and written
straight to disk, so memory stays bounded at any size. About 10 order lines are written
per customer: 100,000 customers make about 1M order lines.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from tqdm import tqdm

from customer360 import contract
from customer360.errors import UserError
from customer360.project import landing_dir

START = np.datetime64("2023-01-01T00:00:00", "s")
WINDOW_DAYS = 1096  # 2023-01-01 .. 2025-12-31
DAY = np.timedelta64(1, "D").astype("timedelta64[s]").astype(np.int64)
CHUNK_CUSTOMERS = 25_000
PRODUCTS = 300
STORES = 10
CATEGORIES = ["Electronics", "Clothing", "Home", "Beauty", "Sports", "Books", "Toys", "Grocery"]
# fmt: off
FIRST_NAMES = ["Anna", "Ben", "Chloé", "David", "Emma", "Farid", "Grace", "Hiro", "Ines", "José",
               "Kofi", "Lena", "Mia", "Noah", "Olga", "Priya", "Quinn", "Rosa", "Sven", "Zoë"]
LAST_NAMES = ["Smith", "Müller", "O'Brien", "García", "Nakamura", "Okafor", "Rossi", "Dubois",
              "Kowalski", "Andersson", "Silva", "Nguyen", "Kaur", "Cohen", "Popescu", "Brown"]
PLACES = [("London", "United Kingdom"), ("Manchester", "United Kingdom"), ("Paris", "France"),
          ("Berlin", "Germany"), ("Madrid", "Spain"), ("Milan", "Italy"), ("Lisbon", "Portugal"),
          ("New York", "United States"), ("Toronto", "Canada"), ("São Paulo", "Brazil")]
# fmt: on
DEVICES = {  # type: (share of sessions, screen sizes, memory GB choices, user agent)
    "phone": (
        0.55,
        [(375, 812), (390, 844), (412, 915), (360, 800)],
        [1, 2, 4, 8],
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148",
    ),
    "desktop": (
        0.35,
        [(1920, 1080), (1536, 864), (1366, 768), (2560, 1440)],
        [4, 8, 8, 8],
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0 Safari/537.36",
    ),
    "tablet": (
        0.08,
        [(768, 1024), (810, 1080), (1024, 1366)],
        [2, 4, 4, 8],
        "Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) Mobile/15E148",
    ),
    "other": (
        0.02,
        [(1280, 720), (800, 600)],
        [0.5, 1, 2],
        "Mozilla/5.0 (X11; Linux x86_64; SmartTV) Safari/537.36",
    ),
}  # fmt: skip
EVENT_TYPES = ["login", "transaction", "support_contact", "data_usage", "billing_complaint",
               "payment_delay"]  # fmt: skip
EVENT_WEIGHTS = [0.45, 0.25, 0.08, 0.15, 0.04, 0.03]
ASCII = str.maketrans("éöüçãíóáëÉÖÜ'", "eoucaioaeEOU-")


@dataclass
class Catalogue:
    """Products with their popularity and bundle partners; the same for every chunk."""

    table: pa.Table
    popularity: np.ndarray  # probability of each product per basket draw
    price: np.ndarray
    cost: np.ndarray
    partner: np.ndarray  # index of the product pulled into the basket, or -1


def make_catalogue(seed: int) -> Catalogue:
    rng = np.random.default_rng([seed, 1])
    ids = np.array([f"P{i:04d}" for i in range(1, PRODUCTS + 1)])
    category = rng.choice(CATEGORIES, PRODUCTS)
    price = np.round(np.exp(rng.normal(3.2, 0.7, PRODUCTS)), 2)
    cost = np.round(price * rng.uniform(0.4, 0.75, PRODUCTS), 2)
    rank = rng.permutation(PRODUCTS)  # popularity rank of each product
    weight = 1.0 / (rank + 1.0) ** 1.1
    partner = np.full(PRODUCTS, -1)
    by_rank = np.argsort(rank)
    # the three most popular products each pull a mid-popularity partner into baskets
    for top, mate in zip(by_rank[:3], by_rank[[20, 35, 50]], strict=True):
        partner[top] = mate
    names = [f"{c} item {i}" for i, c in enumerate(category, start=1)]
    table = pa.table(
        {
            "product_id": ids,
            "product_name": names,
            "category": category,
            "list_price": money(price),
            "unit_cost": money(cost),
        }
    )
    return Catalogue(table, weight / weight.sum(), price, cost, partner)


def timestamps(seconds: np.ndarray) -> pa.Array:
    """Seconds since START as an Arrow timestamp array."""
    return pa.array(START + seconds.astype("timedelta64[s]"), pa.timestamp("us"))


def dates(days: np.ndarray) -> pa.Array:
    return pa.array(START.astype("datetime64[D]") + days.astype("timedelta64[D]"), pa.date32())


def money(values: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    return pa.array(np.round(values, 2), mask=mask).cast(pa.decimal128(18, 4))


class Writer:
    """Writes each chunk's tables as part files under a temporary landing directory."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.rows: dict[str, int] = {}
        self.columns = {name: e.column_names for name, e in contract.load().items()}

    def write(self, entity: str, table: pa.Table, part: int) -> None:
        assert table.column_names == self.columns[entity], entity
        folder = self.root / entity
        folder.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, folder / f"part-{part:05d}.parquet")
        self.rows[entity] = self.rows.get(entity, 0) + table.num_rows


@dataclass
class ChunkResult:
    units_sold: np.ndarray
    next_order: int
    next_session: int


def customers_table(rng: np.random.Generator, ids: np.ndarray, signup: np.ndarray) -> pa.Table:
    n = len(ids)
    first = rng.choice(FIRST_NAMES, n)
    last = rng.choice(LAST_NAMES, n)
    place = rng.integers(0, len(PLACES), n)
    full = np.char.add(np.char.add(first, " "), last)
    email = [
        f"{f.translate(ASCII).lower()}.{s.translate(ASCII).lower()}.{c[1:]}@example.com"
        for f, s, c in zip(first, last, ids, strict=True)
    ]
    birth = rng.integers(-25_000, -6_600, n)
    return pa.table(
        {
            "customer_id": ids,
            "email": email,
            "full_name": full,
            "phone": np.char.add("+44 7700 ", rng.integers(100000, 999999, n).astype(str)),
            "city": [PLACES[i][0] for i in place],
            "country": [PLACES[i][1] for i in place],
            "signup_date": dates(signup),
            "birth_date": pa.array(dates(birth), mask=rng.random(n) < 0.1),
        }
    )


def make_orders(
    rng: np.random.Generator, ids: np.ndarray, signup: np.ndarray, first_order: int
) -> tuple[pa.Table, np.ndarray, np.ndarray]:
    """Orders of a chunk; returns the table, each order's customer index and status."""
    n = len(ids)
    buys = rng.random(n) >= 0.10
    end_day = np.full(n, WINDOW_DAYS, dtype=np.int64)
    churns = rng.random(n) < 0.40
    end_day[churns] = np.minimum(
        WINDOW_DAYS, signup[churns] + 1 + rng.exponential(220, churns.sum()).astype(np.int64)
    )
    span = np.maximum(end_day - signup, 1)
    rate = 0.0065 * np.exp(rng.normal(0.0, 1.0, n))  # orders per day, heavy-tailed
    count = np.where(buys, np.maximum(rng.poisson(rate * span), 1), 0)
    owner = np.repeat(np.arange(n), count)
    day = signup[owner] + (rng.random(len(owner)) * span[owner]).astype(np.int64)
    seconds = day * DAY + rng.integers(8 * 3600, 22 * 3600, len(owner))
    order_ids = np.char.add(
        "O", np.char.zfill((first_order + np.arange(len(owner))).astype(str), 9)
    )
    store = rng.random(len(owner)) < 0.30
    status = rng.choice(["completed", "returned", "cancelled"], len(owner), p=[0.92, 0.05, 0.03])
    customer = ids[owner].astype(object)
    guests = rng.random(len(owner)) < 0.01  # guest checkouts: not in the customer master
    customer[guests] = np.char.add("G", order_ids[guests].astype(str))
    table = pa.table(
        {
            "order_id": order_ids,
            "customer_id": pa.array(customer, pa.string()),
            "ordered_at": timestamps(seconds),
            "channel": np.where(store, "store", "online"),
            "store_id": pa.array(
                np.char.add(
                    "S", np.char.zfill(rng.integers(1, STORES + 1, len(owner)).astype(str), 3)
                ),
                mask=~store,
            ),
            "status": status,
        }
    )
    return table, owner, status


def make_order_items(
    rng: np.random.Generator, catalogue: Catalogue, order_ids: np.ndarray
) -> tuple[pa.Table, np.ndarray]:
    """Lines for the orders; returns the table and each line's product index."""
    lines_per_order = np.minimum(1 + rng.poisson(1.1, len(order_ids)), 6)
    order = np.repeat(np.arange(len(order_ids)), lines_per_order)
    product = rng.choice(PRODUCTS, len(order), p=catalogue.popularity)
    has_partner = catalogue.partner[product] >= 0
    pulled = has_partner & (rng.random(len(order)) < 0.6)
    order = np.concatenate([order, order[pulled]])
    product = np.concatenate([product, catalogue.partner[product[pulled]]])
    sort = np.argsort(order, kind="stable")
    order, product = order[sort], product[sort]
    starts = np.searchsorted(order, order, side="left")
    line_number = (np.arange(len(order)) - starts + 1).astype(np.int32)
    quantity = np.minimum(1 + rng.poisson(0.5, len(order)), 10).astype(np.int32)
    price = catalogue.price[product]
    discounted = rng.random(len(order)) < 0.15
    discount = np.where(discounted, price * quantity * rng.uniform(0.05, 0.3, len(order)), 0.0)
    own_cost = rng.random(len(order)) < 0.10
    table = pa.table(
        {
            "order_id": order_ids[order],
            "line_number": line_number,
            "product_id": catalogue.table["product_id"].to_numpy()[product],
            "quantity": quantity,
            "unit_price": money(price),
            "discount_amount": money(discount),
            "unit_cost": money(
                catalogue.cost[product] * rng.uniform(0.9, 1.1, len(order)), ~own_cost
            ),
        }
    )
    return table, product


def make_email_events(
    rng: np.random.Generator, ids: np.ndarray, signup: np.ndarray, contacts: pa.Table
) -> pa.Table:
    """A newsletter every 60 days to subscribers, plus the e-mail campaigns' sends; opens
    and clicks follow a per-customer propensity."""
    n = len(ids)
    propensity = rng.beta(2, 3, n)
    subscribed = np.flatnonzero(rng.random(n) < 0.6)
    sends = (WINDOW_DAYS - signup[subscribed]) // 60
    owner = np.repeat(subscribed, sends)
    issue = np.arange(len(owner)) - np.repeat(np.cumsum(sends) - sends, sends)
    sent = (signup[owner] + 1 + 60 * issue) * DAY + 9 * 3600
    campaign = np.full(len(owner), "NEWSLETTER", dtype=object)

    email_contacts = contacts.filter(pc.equal(contacts["channel"], "email"))
    contact_owner = np.searchsorted(
        ids, email_contacts["customer_id"].to_numpy(zero_copy_only=False)
    )
    contact_sent = (
        email_contacts["contacted_at"].to_numpy(zero_copy_only=False) - START
    ).astype("timedelta64[s]").astype(np.int64)  # fmt: skip
    owner = np.concatenate([owner, contact_owner])
    sent = np.concatenate([sent, contact_sent])
    campaign = np.concatenate(
        [campaign, email_contacts["campaign_id"].to_numpy(zero_copy_only=False)]
    )

    bounce = rng.random(len(owner)) < 0.02
    opened = ~bounce & (rng.random(len(owner)) < propensity[owner])
    clicked = opened & (rng.random(len(owner)) < 0.3)
    unsubscribed = opened & ~clicked & (rng.random(len(owner)) < 0.01)
    open_at = sent + rng.integers(600, 48 * 3600, len(owner))
    parts = [
        (np.ones(len(owner), bool), sent, "sent"),
        (bounce, sent + 60, "bounce"),
        (opened, open_at, "open"),
        (clicked, open_at + rng.integers(5, 600, len(owner)), "click"),
        (unsubscribed, open_at + 30, "unsubscribe"),
    ]
    who = np.concatenate([owner[mask] for mask, _, _ in parts])
    at = np.concatenate([time[mask] for mask, time, _ in parts])
    kind = np.concatenate([np.full(mask.sum(), name) for mask, _, name in parts])
    which = np.concatenate([campaign[mask] for mask, _, _ in parts])
    keep = at < WINDOW_DAYS * DAY
    return pa.table(
        {
            "customer_id": ids[who[keep]],
            "event_at": timestamps(at[keep]),
            "event_type": kind[keep],
            "campaign_id": pa.array(which[keep], pa.string()),
        }
    )


def make_device_logs(
    rng: np.random.Generator, ids: np.ndarray, signup: np.ndarray, first_session: int
) -> tuple[pa.Table, int]:
    """Web sessions of customers plus anonymous ones (about a third), page by page."""
    n = len(ids)
    known_sessions = rng.poisson(1.5, n)
    owner = np.repeat(np.arange(n), known_sessions)
    anonymous = rng.poisson(0.5 * len(owner) / max(n, 1), n).sum()
    sessions = len(owner) + anonymous
    start_day = np.concatenate(
        [signup[owner] + rng.random(len(owner)) * (WINDOW_DAYS - signup[owner]),
         rng.random(anonymous) * WINDOW_DAYS]
    ).astype(np.int64)  # fmt: skip
    start = start_day * DAY + rng.integers(0, DAY, sessions)
    types = list(DEVICES)
    kind = rng.choice(len(types), sessions, p=[DEVICES[t][0] for t in types])
    width = np.zeros(sessions, np.int32)
    height = np.zeros(sessions, np.int32)
    memory = np.zeros(sessions)
    agent = np.empty(sessions, dtype=object)
    for index, name in enumerate(types):
        mine = kind == index
        screens = np.array(DEVICES[name][1])
        pick = rng.integers(0, len(screens), mine.sum())
        width[mine], height[mine] = screens[pick, 0], screens[pick, 1]
        memory[mine] = rng.choice(DEVICES[name][2], mine.sum())
        agent[mine] = DEVICES[name][3]
    pages = 1 + rng.poisson(2.0, sessions)
    session = np.repeat(np.arange(sessions), pages)
    first_row = np.repeat(np.cumsum(pages) - pages, pages)
    step = rng.integers(5, 300, len(session))  # seconds between page views
    running = np.cumsum(step)
    offset = running - running[first_row] + step[first_row]
    customer = np.concatenate([ids[owner], np.full(anonymous, None, dtype=object)])
    session_ids = np.char.add(
        "S", np.char.zfill((first_session + np.arange(sessions)).astype(str), 9)
    )
    logged = start[session] + offset
    keep = logged < WINDOW_DAYS * DAY
    table = pa.table(
        {
            "logged_at": timestamps(logged[keep]),
            "customer_id": pa.array(customer[session][keep], pa.string()),
            "session_id": session_ids[session][keep],
            "device_type": np.array(types)[kind][session][keep],
            "screen_width": width[session][keep],
            "screen_height": height[session][keep],
            "device_memory_gb": pa.array(
                memory[session][keep], mask=rng.random(keep.sum()) < 0.1
            ).cast(pa.decimal128(8, 2)),
            "user_agent": agent[session][keep].astype(str),
        }
    )
    return table, sessions


def make_events(rng: np.random.Generator, ids: np.ndarray, signup: np.ndarray) -> pa.Table:
    """A banking / telecom-style activity stream for a tenth of the customers."""
    members = np.flatnonzero(rng.random(len(ids)) < 0.10)
    counts = rng.poisson(12, len(members))
    owner = np.repeat(members, counts)
    day = signup[owner] + (rng.random(len(owner)) * (WINDOW_DAYS - signup[owner])).astype(int)
    seconds = day * DAY + rng.integers(0, DAY, len(owner))
    kind = rng.choice(EVENT_TYPES, len(owner), p=EVENT_WEIGHTS)
    has_amount = np.isin(kind, ["transaction", "data_usage"])
    # one event per customer, second and type: drop the rare collisions
    kind_index = np.searchsorted(np.sort(EVENT_TYPES), kind)
    key = (owner.astype(np.int64) * WINDOW_DAYS * DAY + seconds) * len(EVENT_TYPES) + kind_index
    _, unique = np.unique(key, return_index=True)
    unique.sort()
    return pa.table(
        {
            "customer_id": ids[owner][unique],
            "event_at": timestamps(seconds[unique]),
            "event_type": kind[unique],
            "amount": money(rng.gamma(2.0, 20.0, len(owner))[unique], ~has_amount[unique]),
        }
    )


def make_campaigns(seed: int) -> pa.Table:
    rng = np.random.default_rng([seed, 2])
    specs = [
        ("CMP01", "Spring win-back", "email", "At Risk"),
        ("CMP02", "VIP early access", "email", "Champions"),
        ("CMP03", "Summer bundle SMS", "sms", "Potential Loyalists"),
        ("CMP04", "Homepage banner", "web", "New Customers"),
        ("CMP05", "Autumn re-engagement", "email", "Hibernating"),
    ]
    start_days = np.array([820, 870, 930, 980, 1030])
    length = rng.integers(14, 30, len(specs))
    return pa.table(
        {
            "campaign_id": [s[0] for s in specs],
            "campaign_name": [s[1] for s in specs],
            "channel": [s[2] for s in specs],
            "target_segment": [s[3] for s in specs],
            "offer_discount_pct": pa.array(
                rng.choice([5.0, 10.0, 15.0, 20.0, 30.0], len(specs))
            ).cast(pa.decimal128(5, 2)),
            "started_at": timestamps(start_days * DAY),
            "ended_at": timestamps((start_days + length) * DAY),
            "cost": money(rng.uniform(500, 5000, len(specs))),
        }
    )  # fmt: skip


def make_contacts(
    rng: np.random.Generator, ids: np.ndarray, signup: np.ndarray, campaigns: pa.Table
) -> pa.Table:
    tables = []
    started = (campaigns["started_at"].to_numpy() - START).astype("timedelta64[s]").astype(int)
    for index, campaign_id in enumerate(campaigns["campaign_id"].to_pylist()):
        day = started[index] // DAY
        chosen = np.flatnonzero((signup < day) & (rng.random(len(ids)) < 0.15))
        at = started[index] + rng.integers(0, 10 * DAY, len(chosen))
        tables.append(
            pa.table(
                {
                    "campaign_id": np.full(len(chosen), campaign_id),
                    "customer_id": ids[chosen],
                    "contacted_at": timestamps(at),
                    "cost": money(rng.uniform(0.05, 0.5, len(chosen))),
                    "channel": np.full(len(chosen), campaigns["channel"][index].as_py()),
                }
            )
        )
    return pa.concat_tables(tables)


def make_chunk(
    writer: Writer, seed: int, part: int, first_customer: int, size: int,
    catalogue: Catalogue, campaigns: pa.Table, next_order: int, next_session: int,
) -> ChunkResult:  # fmt: skip
    rng = np.random.default_rng([seed, 100 + part])
    ids = np.char.add(
        "C", np.char.zfill(np.arange(first_customer, first_customer + size).astype(str), 7)
    )
    signup = rng.integers(0, WINDOW_DAYS - 30, size)
    writer.write("customers", customers_table(rng, ids, signup), part)
    orders, _, status = make_orders(rng, ids, signup, next_order)
    writer.write("orders", orders, part)
    items, product = make_order_items(
        rng, catalogue, orders["order_id"].to_numpy(zero_copy_only=False)
    )
    writer.write("order_items", items, part)
    order_of_line = np.searchsorted(
        orders["order_id"].to_numpy(zero_copy_only=False),
        items["order_id"].to_numpy(zero_copy_only=False),
    )
    completed = status[order_of_line] == "completed"
    units = np.bincount(
        product[completed], weights=items["quantity"].to_numpy()[completed], minlength=PRODUCTS
    )
    contacts = make_contacts(rng, ids, signup, campaigns)
    writer.write("campaign_contacts", contacts.drop_columns(["channel"]), part)
    writer.write("email_events", make_email_events(rng, ids, signup, contacts), part)
    devices, sessions = make_device_logs(rng, ids, signup, next_session)
    writer.write("device_logs", devices, part)
    writer.write("events", make_events(rng, ids, signup), part)
    return ChunkResult(units, next_order + orders.num_rows, next_session + sessions)


def make_inventory(seed: int, catalogue: Catalogue, units_sold: np.ndarray) -> pa.Table:
    """Receipts that cover sales, with a fifth of the catalogue badly over-stocked."""
    rng = np.random.default_rng([seed, 3])
    cover = rng.uniform(1.0, 1.5, PRODUCTS)
    overstocked = rng.random(PRODUCTS) < 0.20
    partners = catalogue.partner[catalogue.partner >= 0]
    overstocked[partners[0]] = True  # a popular bundle partner is dead stock
    cover[overstocked] = rng.uniform(1.9, 4.0, overstocked.sum())
    received = np.ceil(np.maximum(units_sold, 5) * cover).astype(np.int64)
    deliveries = rng.integers(1, 7, PRODUCTS)
    rows = []
    for product in range(PRODUCTS):
        days = np.sort(rng.choice(WINDOW_DAYS - 60, deliveries[product], replace=False))
        share = rng.dirichlet(np.ones(deliveries[product]))
        quantity = np.maximum(np.floor(share * received[product]).astype(int), 1)
        quantity[-1] += max(received[product] - quantity.sum(), 0)
        rows += [(product, day, qty) for day, qty in zip(days, quantity, strict=True)]
    product, day, quantity = (np.array(column) for column in zip(*rows, strict=True))
    return pa.table(
        {
            "product_id": catalogue.table["product_id"].to_numpy()[product],
            "received_on": dates(day),
            "quantity_received": quantity.astype(np.int32),
        }
    )


def generate(landing: Path, customers: int, seed: int, progress: bool = True) -> dict[str, int]:
    """Write the demo landing zone; return the rows written per entity."""
    if customers < 1:
        raise UserError("--customers must be at least 1")
    staging = landing.parent / f".{landing.name}.demo-tmp"
    shutil.rmtree(staging, ignore_errors=True)
    writer = Writer(staging)
    catalogue = make_catalogue(seed)
    campaigns = make_campaigns(seed)
    units_sold = np.zeros(PRODUCTS)
    next_order, next_session = 1, 1
    chunks = range(0, customers, CHUNK_CUSTOMERS)
    try:
        for part, first in enumerate(
            tqdm(chunks, desc="demo data", unit="chunk", file=sys.stderr, disable=not progress)
        ):
            size = min(CHUNK_CUSTOMERS, customers - first)
            result = make_chunk(writer, seed, part, first + 1, size, catalogue, campaigns,
                                next_order, next_session)  # fmt: skip
            units_sold += result.units_sold
            next_order, next_session = result.next_order, result.next_session
        writer.write("products", catalogue.table, 0)
        writer.write("campaigns", campaigns, 0)
        writer.write("inventory", make_inventory(seed, catalogue, units_sold), 0)
        landing.mkdir(parents=True, exist_ok=True)
        for entity in writer.columns:
            target = landing / entity
            shutil.rmtree(target, ignore_errors=True)
            (staging / entity).rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return writer.rows


def main(args: argparse.Namespace) -> int:
    landing = Path(args.landing_dir) if args.landing_dir else landing_dir()
    rows = generate(landing.resolve(), args.customers, args.seed, progress=not args.quiet)
    print(f"demo data: {args.customers:,} customers, seed {args.seed}, written to {landing}")
    for entity, count in rows.items():
        print(f"  {entity:<18} {count:>12,} rows")
    return 0
