"""`customer360 demo`: a deterministic, realistic demo landing zone.

Writes every entity of the landing contract (`models/staging/_sources.yml`) as Parquet,
`<landing>/<entity>/part-NNNNN.parquet`, with exactly the contract's columns and types.
Nothing but `--customers` and `--seed` decides the contents: the same arguments give the
same files, and no wall clock is read (history runs from 2023-01-01 to 2025-12-31).

Size: about 10 order lines per customer (100,000 customers make about 1M order lines) in
4.4 orders, and about 9 page views, 10 e-mail events and 1.3 activity events per customer.

The shape the marts and models rely on:
- customers sign up across the window (slowly growing); 8 % never buy. Purchase rates are
  log-normal per customer (a minority buys far more often than the rest, and basket sizes
  vary too). About 38 % stop buying some months after they signed up (churn); about a
  quarter of the buyers buy only once; 1 % of orders are guest checkouts whose customer id
  is not in `customers`. Names include an apostrophe and non-ASCII letters.
- orders are placed online (~70 %, evening peak) or in one of ten stores (a customer has
  a home store); ~92 % completed, ~5 % returned, ~3 % cancelled.
- order lines (1-6 per order, one line per product) draw products from a power-law over
  300 products; three popular products pull a partner into the basket, so the top pair
  is in about a fifth of the completed baskets (above Apriori's default 0.1 support).
- stock receipts (2-7 per product) are sized from the units sold in completed orders: most
  products sell 65-95 % of what was received, about a fifth of the catalogue sells less
  than 60 % (dead stock), among them the partner of the top pair (a dead-stock bundle).
- six campaigns (e-mail, SMS, web) contact the customers of their target segment; some
  contacted customers buy within two weeks. A newsletter goes to subscribers every four
  weeks; opens and clicks follow a per-customer propensity that fades after churn, with
  a few bounces and unsubscribes (after which no more e-mail is sent).
- web sessions log device type, screen size, memory (not reported by Safari and Firefox)
  and user agent; a third of the sessions are anonymous visitors.
- an eighth of the customers have a banking / telecom-style event stream; churners log
  in less after they stop buying and complain or pay late more often.

Customers are generated in chunks of 25,000, each from `numpy.random.default_rng([seed,
chunk])`, and each chunk is written as one part file per entity and freed, so memory stays
bounded at any size. The files are written into a temporary sibling directory first and
renamed into the landing zone at the end, so an interrupted run never leaves a half-written
entity folder. The demo replaces the whole folders of the contract's entities (any other
file in the landing zone is left alone).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from tqdm import tqdm

from customer360 import contract
from customer360.errors import UserError
from customer360.project import landing_dir

START = np.datetime64("2023-01-01T00:00:00", "s")
WINDOW_DAYS = 1096  # 2023-01-01 .. 2025-12-31
DAY = 86_400  # seconds
CHUNK_CUSTOMERS = 25_000
GLOBAL_STREAM = 2**31  # rng streams of the shared tables; chunk numbers stay far below

PRODUCTS = 300
STORES = 10
MAX_LINES = 6
# Bundles by popularity rank: (product, partner pulled into its baskets, probability).
# The partner of the first bundle is over-stocked: a dead-stock product in a frequent pair.
BUNDLES = [(0, 14, 0.65), (1, 22, 0.7), (3, 40, 0.6)]
OVERSTOCKED_SHARE = 0.19

# Per-customer behaviour (see the module docstring); rates are orders per day.
BUYER_SHARE = 0.92
CHURN_SHARE = 0.38
ORDER_RATE_MEDIAN = 0.006
ORDER_RATE_SIGMA = 0.9
STATUS_SHARES = {"completed": 0.92, "returned": 0.05, "cancelled": 0.03}
GUEST_SHARE = 0.01

# fmt: off
FIRST_NAMES = ["Anna", "Ben", "Chloé", "David", "Emma", "Farid", "Grace", "Hiro", "Inès", "José",
               "Kofi", "Lena", "Mia", "Noah", "Olga", "Priya", "Quinn", "Rosa", "Sven", "Zoë",
               "Liam", "Sofia", "Mateo", "Aisha", "Björn", "Yuki", "Omar", "Léa", "Tomás", "Eva"]
LAST_NAMES = ["Smith", "Müller", "O'Brien", "García", "Nakamura", "Okafor", "Rossi", "Dubois",
              "Kowalski", "Andersson", "Silva", "Nguyen", "Kaur", "Cohen", "Popescu", "Brown",
              "Jones", "Schmidt", "Martin", "Fernández", "Jensen", "D'Angelo", "Novák", "Lee"]
# (city, country, share of customers, mobile number with # for random digits)
PLACES = [
    ("London", "United Kingdom", 0.22, "+44 7700 9#####"),
    ("Manchester", "United Kingdom", 0.08, "+44 7700 9#####"),
    ("Paris", "France", 0.12, "+33 6 ## ## ## ##"),
    ("Lyon", "France", 0.04, "+33 6 ## ## ## ##"),
    ("Berlin", "Germany", 0.1, "+49 151 ########"),
    ("München", "Germany", 0.05, "+49 151 ########"),
    ("Madrid", "Spain", 0.07, "+34 6## ### ###"),
    ("Milan", "Italy", 0.06, "+39 3## ### ####"),
    ("Lisbon", "Portugal", 0.04, "+351 9## ### ###"),
    ("New York", "United States", 0.1, "+1 212-555-01##"),
    ("Toronto", "Canada", 0.05, "+1 416-555-01##"),
    ("São Paulo", "Brazil", 0.07, "+55 11 9####-####"),
]
CATEGORIES = {
    "Electronics": ["Headphones", "Charger", "Speaker", "Smartwatch", "Keyboard", "Power Bank"],
    "Clothing": ["T-Shirt", "Hoodie", "Jeans", "Rain Jacket", "Socks", "Scarf"],
    "Home": ["Mug", "Candle", "Cushion", "Lamp", "Throw Blanket", "Vase"],
    "Beauty": ["Face Cream", "Shampoo", "Lip Balm", "Perfume", "Hand Soap", "Serum"],
    "Sports": ["Yoga Mat", "Water Bottle", "Running Cap", "Resistance Band", "Gym Bag"],
    "Books": ["Cookbook", "Novel", "Travel Guide", "Notebook", "Colouring Book"],
    "Toys": ["Puzzle", "Board Game", "Plush Bear", "Building Set", "Kite"],
    "Grocery": ["Coffee Beans", "Green Tea", "Dark Chocolate", "Olive Oil", "Granola"],
}
ADJECTIVES = ["Classic", "Organic", "Eco", "Premium", "Compact", "Everyday", "Deluxe", "Mini",
              "Nordic", "Urban"]
ONLINE_HOURS = [1.0, 0.6, 0.4, 0.3, 0.3, 0.4, 0.8, 1.5, 2.2, 2.8, 3.0, 3.2, 3.5, 3.3, 3.1, 3.0,
                3.1, 3.4, 3.9, 4.5, 5.0, 4.6, 3.5, 2.0]
# fmt: on


@dataclass(frozen=True)
class DeviceModel:
    device_type: str
    share: float
    screen: tuple[int, int]  # width, height in CSS pixels
    memory_gb: tuple[float, ...]  # what navigator.deviceMemory reports; () = not reported
    user_agent: str


USER_AGENTS = {
    "iphone": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    "pixel": "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0 Mobile Safari/537.36",
    "galaxy": "Mozilla/5.0 (Linux; Android 13; SM-A146B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/122.0 Mobile Safari/537.36",
    "ipad": "Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    "galaxy_tab": "Mozilla/5.0 (Linux; Android 13; SM-X200) AppleWebKit/537.36 (KHTML, like "
    "Gecko) Chrome/123.0 Safari/537.36",
    "windows_chrome": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like "
    "Gecko) Chrome/124.0 Safari/537.36",
    "windows_edge": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like "
    "Gecko) Chrome/123.0 Safari/537.36 Edg/123.0",
    "mac_chrome": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, "
    "like Gecko) Chrome/124.0 Safari/537.36",
    "linux_firefox": "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "smart_tv": "Mozilla/5.0 (SMART-TV; Linux; Tizen 7.0) AppleWebKit/537.36 (KHTML, like Gecko) "
    "SamsungBrowser/5.0 TV Safari/537.36",
}
# Safari and Firefox do not report navigator.deviceMemory: their memory is null.
# fmt: off
DEVICE_MODELS = [
    DeviceModel("phone", 0.13, (390, 844), (), USER_AGENTS["iphone"]),
    DeviceModel("phone", 0.20, (412, 915), (4, 8), USER_AGENTS["pixel"]),
    DeviceModel("phone", 0.16, (360, 800), (0.5, 1, 2, 4), USER_AGENTS["galaxy"]),
    DeviceModel("tablet", 0.03, (820, 1180), (), USER_AGENTS["ipad"]),
    DeviceModel("tablet", 0.04, (1280, 800), (2, 4), USER_AGENTS["galaxy_tab"]),
    DeviceModel("desktop", 0.20, (1920, 1080), (4, 8, 8), USER_AGENTS["windows_chrome"]),
    DeviceModel("desktop", 0.08, (1366, 768), (2, 4, 8), USER_AGENTS["windows_edge"]),
    DeviceModel("desktop", 0.06, (1512, 982), (8,), USER_AGENTS["mac_chrome"]),
    DeviceModel("desktop", 0.03, (2560, 1440), (), USER_AGENTS["linux_firefox"]),
    DeviceModel("other", 0.03, (1280, 720), (0.5, 1, 2), USER_AGENTS["smart_tv"]),
]
# fmt: on

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


@dataclass(frozen=True)
class Campaign:
    campaign_id: str
    name: str
    channel: str
    target_segment: str
    starts: str  # date
    days: int
    discount_pct: float
    response: float  # share of contacted customers who buy within two weeks
    contact_cost: float


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
NEWSLETTER_DAYS = np.arange(6, WINDOW_DAYS, 28)  # every fourth Saturday
NEWSLETTER_IDS = np.char.add(
    "NL-", np.datetime_as_string(START.astype("datetime64[D]") + NEWSLETTER_DAYS)
)


# ---------------------------------------------------------------------------- helpers


def day_of(date: str) -> int:
    return int((np.datetime64(date, "D") - START.astype("datetime64[D]")).astype(int))


def numbered(prefix: str, numbers: np.ndarray, width: int) -> np.ndarray:
    """Ids like C0000001: the prefix and the zero-padded number."""
    return np.char.add(prefix, zero_padded(numbers, width))


def zero_padded(numbers: np.ndarray, width: int) -> np.ndarray:
    if len(numbers) == 0:  # np.char.zfill fails on an empty array
        return np.array([], dtype=str)
    return np.char.zfill(numbers.astype(str), width)


def timestamps(seconds: np.ndarray) -> pa.Array:
    """Seconds since 2023-01-01 as an Arrow timestamp array."""
    return pa.array(START + seconds.astype("timedelta64[s]"), pa.timestamp("us"))


def dates(days: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    values = START.astype("datetime64[D]") + days.astype("timedelta64[D]")
    return pa.array(values, pa.date32(), mask=mask)


def money(values: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    return pa.array(np.round(values, 2), mask=mask).cast(pa.decimal128(18, 4))


def ascii_slug(text: str) -> str:
    """'O'Brien' -> 'obrien', 'Müller' -> 'muller': the e-mail form of a name."""
    decomposed = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(char for char in decomposed.lower() if char.isalnum())


def fill_digits(rng: np.random.Generator, template: str, count: int) -> np.ndarray:
    """`count` strings like the template, each # replaced by a random digit."""
    width = template.count("#")
    digits = zero_padded(rng.integers(0, 10**width, count), width)
    result = np.full(count, "")
    used = 0
    for literal, hashes in re.findall(r"([^#]*)(#*)", template):
        result = np.char.add(result, literal)
        if hashes:
            result = np.char.add(result, np.strings.slice(digits, used, used + len(hashes)))
            used += len(hashes)
    return result


def position_in_group(counts: np.ndarray) -> np.ndarray:
    """0, 1, ... within each run of np.repeat(..., counts)."""
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    return np.arange(int(counts.sum())) - starts


def arrow_type(data_type: str) -> pa.DataType:
    """The Arrow type the demo writes for a contract data_type."""
    base = data_type.split("(")[0].strip().lower()
    if base == "decimal":
        precision, scale = (int(part) for part in data_type.split("(")[1].rstrip(")").split(","))
        return pa.decimal128(precision, scale)
    return {
        "varchar": pa.string(),
        "integer": pa.int32(),
        "bigint": pa.int64(),
        "double": pa.float64(),
        "date": pa.date32(),
        "timestamp": pa.timestamp("us"),
    }[base]


# -------------------------------------------------------------------- shared tables


@dataclass(frozen=True)
class Catalogue:
    """Products with their popularity, bundle partners and stocking; one per seed."""

    table: pa.Table
    ids: np.ndarray
    popularity: np.ndarray  # probability of each product per basket draw
    price: np.ndarray
    cost: np.ndarray
    partner: np.ndarray  # product pulled into the basket with it, or -1
    pull: np.ndarray  # probability that the partner is pulled
    overstocked: np.ndarray  # receipts far above sales: dead stock


def names_of(adjectives: np.ndarray, nouns: list[str], ids: np.ndarray) -> list[str]:
    """'Eco Mug 017': unique, since the number is the product's."""
    return [f"{a} {n} {i[1:]}" for a, n, i in zip(adjectives, nouns, ids, strict=True)]


def make_catalogue(seed: int) -> Catalogue:
    rng = np.random.default_rng([seed, GLOBAL_STREAM])
    rank = rng.permutation(PRODUCTS)  # popularity rank of each product
    by_rank = np.argsort(rank)
    weight = 1.0 / (rank + 1.0) ** 1.1  # Zipf-like
    partner = np.full(PRODUCTS, -1)
    pull = np.zeros(PRODUCTS)
    names = list(CATEGORIES)
    category = rng.choice(len(names), PRODUCTS)
    for top, mate, probability in BUNDLES:
        partner[by_rank[top]] = by_rank[mate]
        pull[by_rank[top]] = probability
        category[by_rank[mate]] = category[by_rank[top]]  # bundles stay in one category
    price = np.floor(np.exp(rng.normal(3.1, 0.75, PRODUCTS))) + 0.99
    cost = np.round(price * rng.uniform(0.35, 0.7, PRODUCTS), 2)
    in_bundle = np.isin(np.arange(PRODUCTS), by_rank[[b[0] for b in BUNDLES]])
    candidates = np.flatnonzero(~in_bundle & (partner < 0))
    dead_partner = by_rank[BUNDLES[0][1]]
    candidates = candidates[candidates != dead_partner]
    overstocked = np.zeros(PRODUCTS, bool)
    overstocked[rng.choice(candidates, round(OVERSTOCKED_SHARE * PRODUCTS) - 1, replace=False)] = (
        True
    )
    overstocked[dead_partner] = True
    nouns = [rng.choice(CATEGORIES[names[c]]) for c in category]
    adjectives = rng.choice(ADJECTIVES, PRODUCTS)
    ids = numbered("P", np.arange(1, PRODUCTS + 1), 4)
    table = pa.table(
        {
            "product_id": ids,
            "product_name": names_of(adjectives, nouns, ids),
            "category": np.array(names)[category],
            "list_price": money(price),
            "unit_cost": money(cost),
        }
    )
    return Catalogue(table, ids, weight / weight.sum(), price, cost, partner, pull, overstocked)


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


def make_inventory(seed: int, catalogue: Catalogue, units_sold: np.ndarray) -> pa.Table:
    """Stock receipts sized from the units sold in completed orders: 1.05-1.5 times the
    sales (rounded down, so these sell at least 2/3 of their stock), 1.9-4 times (rounded
    up) for the over-stocked fifth of the catalogue. Up to seven deliveries per product:
    the opening stock in the first two weeks, the rest spread over the window."""
    rng = np.random.default_rng([seed, GLOBAL_STREAM + 2])
    sold = np.maximum(units_sold, 1)
    received = np.where(
        catalogue.overstocked,
        np.ceil(sold * rng.uniform(1.9, 4.0, PRODUCTS)),
        np.floor(sold * rng.uniform(1.05, 1.5, PRODUCTS)),
    ).astype(np.int64)
    deliveries = rng.integers(2, 8, PRODUCTS)
    shares = rng.gamma(2.0, 1.0, (PRODUCTS, 7)) * (np.arange(7) < deliveries[:, None])
    quantity = rng.multinomial(received, shares / shares.sum(axis=1, keepdims=True))
    product, delivery = np.nonzero(quantity)
    day = np.where(
        delivery == 0,
        rng.integers(0, 14, len(product)),
        rng.integers(30, WINDOW_DAYS - 30, len(product)),
    )
    # deliveries of a product on the same day are one receipt
    key, where = np.unique(product * WINDOW_DAYS + day, return_inverse=True)
    return pa.table(
        {
            "product_id": catalogue.ids[key // WINDOW_DAYS],
            "received_on": dates(key % WINDOW_DAYS),
            "quantity_received": np.bincount(where, weights=quantity[product, delivery]).astype(
                np.int64
            ),
        }
    )


# ---------------------------------------------------------------- one chunk of customers


@dataclass
class People:
    """The customers of one chunk and their (hidden) behaviour."""

    number: np.ndarray  # 1-based customer number
    ids: np.ndarray
    signup: np.ndarray  # day of the window
    buys: np.ndarray
    churner: np.ndarray
    end: np.ndarray  # first day after their active life (WINDOW_DAYS if they never stop)
    rate: np.ndarray  # orders per day while active
    basket: np.ndarray  # mean extra products per basket
    store_share: np.ndarray
    home_store: np.ndarray


def make_people(rng: np.random.Generator, first_number: int, size: int) -> People:
    number = np.arange(first_number, first_number + size)
    signup = ((WINDOW_DAYS - 30) * rng.random(size) ** 0.85).astype(np.int64)  # growing
    churner = rng.random(size) < CHURN_SHARE
    lifetime = 45 + rng.exponential(240, size).astype(np.int64)
    end = np.where(churner, np.minimum(signup + lifetime, WINDOW_DAYS), WINDOW_DAYS)
    return People(
        number=number,
        ids=numbered("C", number, 7),
        signup=signup,
        buys=rng.random(size) < BUYER_SHARE,
        churner=churner & (end < WINDOW_DAYS),
        end=end,
        rate=ORDER_RATE_MEDIAN * np.exp(rng.normal(0.0, ORDER_RATE_SIGMA, size)),
        basket=0.9 * np.exp(rng.normal(0.0, 0.4, size)),
        store_share=rng.beta(0.9, 2.1, size),  # mean 0.3
        home_store=rng.integers(1, STORES + 1, size),
    )


def customers_table(rng: np.random.Generator, people: People) -> pa.Table:
    n = len(people.ids)
    first = rng.integers(0, len(FIRST_NAMES), n)
    last = rng.integers(0, len(LAST_NAMES), n)
    place = rng.choice(len(PLACES), n, p=[p[2] for p in PLACES])
    first_names, last_names = np.array(FIRST_NAMES), np.array(LAST_NAMES)
    first_slug = np.array([ascii_slug(name) for name in FIRST_NAMES])
    last_slug = np.array([ascii_slug(name) for name in LAST_NAMES])
    domain = rng.choice(["@example.com", "@example.org", "@example.net"], n)
    local = np.char.add(np.char.add(first_slug[first], "."), last_slug[last])
    email = np.char.add(np.char.add(local, people.number.astype(str)), domain)
    phone = np.empty(n, dtype=object)
    for index, (*_, template) in enumerate(PLACES):
        here = place == index
        phone[here] = fill_digits(rng, template, int(here.sum()))
    age_days = rng.integers(18 * 365, 80 * 365, n)
    return pa.table(
        {
            "customer_id": people.ids,
            "email": email,
            "full_name": np.char.add(np.char.add(first_names[first], " "), last_names[last]),
            "phone": pa.array(phone, pa.string(), mask=rng.random(n) < 0.08),
            "city": np.array([p[0] for p in PLACES])[place],
            "country": np.array([p[1] for p in PLACES])[place],
            "signup_date": dates(people.signup),
            "birth_date": dates(people.signup - age_days, mask=rng.random(n) < 0.12),
        }
    )


@dataclass
class Contacts:
    """Campaign contacts of one chunk; `responded` customers buy within two weeks."""

    campaign: np.ndarray  # index into CAMPAIGNS
    customer: np.ndarray  # index into the chunk's people
    at: np.ndarray  # seconds
    responded: np.ndarray


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
    """Each campaign reaches 70 % of its audience in its first three days."""
    parts = []
    for index, campaign in enumerate(CAMPAIGNS):
        start = day_of(campaign.starts)
        reached = rng.random(len(people.ids)) < 0.7
        chosen = np.flatnonzero(campaign_audience(campaign, people, start) & reached)
        day = start + rng.integers(0, 3, len(chosen))
        at = day * DAY + rng.integers(8 * 3600, 20 * 3600, len(chosen))
        parts.append((np.full(len(chosen), index), chosen, at, rng.random(len(chosen))))
    campaign, customer, at, draw = (np.concatenate(column) for column in zip(*parts, strict=True))
    response = np.array([c.response for c in CAMPAIGNS])[campaign]
    return Contacts(campaign, customer, at, draw < response)


def contacts_table(rng: np.random.Generator, people: People, contacts: Contacts) -> pa.Table:
    cost = np.array([c.contact_cost for c in CAMPAIGNS])[contacts.campaign]
    return pa.table(
        {
            "campaign_id": np.array([c.campaign_id for c in CAMPAIGNS])[contacts.campaign],
            "customer_id": people.ids[contacts.customer],
            "contacted_at": timestamps(contacts.at),
            "cost": money(cost, mask=rng.random(len(cost)) < 0.05),
        }
    )


@dataclass
class Orders:
    table: pa.Table
    owner: np.ndarray  # index into the chunk's people (guest checkouts too)
    online: np.ndarray
    completed: np.ndarray


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
    online = rng.random(count) >= people.store_share[owner]
    online[count - in_window.sum() :] = True
    hours = np.array(ONLINE_HOURS) / sum(ONLINE_HOURS)
    hour = np.where(online, rng.choice(24, count, p=hours), rng.integers(9, 20, count))
    seconds = day * DAY + hour * 3600 + rng.integers(0, 3600, count)
    by_time = np.lexsort((seconds, owner))  # each customer's orders in time order
    owner, seconds, online = owner[by_time], seconds[by_time], online[by_time]

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
    return Orders(table, owner, online, status == "completed")


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

    by_email = np.array([c.channel == "email" for c in CAMPAIGNS])[contacts.campaign]
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


def session_devices(
    rng: np.random.Generator, model: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Screen width, height, memory (NaN = not reported) and user agent per session."""
    width = np.zeros(len(model), np.int64)
    height = np.zeros(len(model), np.int64)
    memory = np.full(len(model), np.nan)
    agent = np.empty(len(model), dtype=object)
    for index, device in enumerate(DEVICE_MODELS):
        mine = np.flatnonzero(model == index)
        width[mine], height[mine] = device.screen
        if device.device_type == "tablet":  # some tablets are held in landscape
            turned = mine[rng.random(len(mine)) < 0.4]
            width[turned], height[turned] = max(device.screen), min(device.screen)
        if device.memory_gb:
            memory[mine] = rng.choice(device.memory_gb, len(mine))
        agent[mine] = device.user_agent
    memory[rng.random(len(model)) < 0.03] = np.nan  # privacy settings
    return width, height, memory, agent


def make_device_logs(
    rng: np.random.Generator, people: People, orders: Orders, first_session: int
) -> tuple[pa.Table, int]:
    """Web sessions page by page: customers who order online browse more, and half as many
    sessions again come from anonymous visitors."""
    n = len(people.ids)
    online_orders = np.bincount(orders.owner[orders.online], minlength=n)
    owner = np.repeat(np.arange(n), rng.poisson(0.7 + 0.35 * online_orders))
    anonymous = int(rng.poisson(0.5 * len(owner)))
    sessions = len(owner) + anonymous
    last_day = np.minimum(people.end + 60, WINDOW_DAYS)[owner]
    first_day = people.signup[owner]
    known_day = first_day + (rng.random(len(owner)) * (last_day - first_day)).astype(np.int64)
    day = np.concatenate([known_day, rng.integers(0, WINDOW_DAYS, anonymous)])
    hours = np.array(ONLINE_HOURS) / sum(ONLINE_HOURS)
    start = day * DAY + rng.choice(24, sessions, p=hours) * 3600 + rng.integers(0, 3600, sessions)
    shares = np.array([device.share for device in DEVICE_MODELS])
    model = rng.choice(len(DEVICE_MODELS), sessions, p=shares / shares.sum())
    usual = rng.choice(len(DEVICE_MODELS), n, p=shares / shares.sum())[owner]
    model[: len(owner)] = np.where(rng.random(len(owner)) < 0.8, usual, model[: len(owner)])
    width, height, memory, agent = session_devices(rng, model)

    pages = 1 + rng.poisson(2.3, sessions)
    session = np.repeat(np.arange(sessions), pages)
    step = rng.integers(5, 300, len(session))  # seconds between page views
    elapsed = np.cumsum(step)
    logged = start[session] + elapsed - np.repeat(elapsed[np.cumsum(pages) - pages], pages)
    kept = logged < WINDOW_DAYS * DAY
    session = session[kept]
    customer = np.concatenate([people.ids[owner], np.full(anonymous, "")])
    types = np.array([device.device_type for device in DEVICE_MODELS])
    table = pa.table(
        {
            "logged_at": timestamps(logged[kept]),
            "customer_id": pa.array(customer[session], mask=session >= len(owner)),
            "session_id": numbered("S", first_session + session, 10),
            "device_type": types[model[session]],
            "screen_width": width[session],
            "screen_height": height[session],
            "device_memory_gb": pa.array(memory[session], from_pandas=True).cast(
                pa.decimal128(8, 2)
            ),
            "user_agent": pa.array(agent[session], pa.string()),
        }
    )
    return table, sessions


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


# ---------------------------------------------------------------------------- writing


class Writer:
    """Writes part files with exactly the contract's columns and types under `root`."""

    def __init__(self, root: Path, entities: dict[str, contract.Entity]) -> None:
        self.root = root
        self.schemas = {
            name: pa.schema([(c.name, arrow_type(c.data_type)) for c in entity.columns])
            for name, entity in entities.items()
        }
        self.rows = dict.fromkeys(entities, 0)
        self.written: set[str] = set()

    def write(self, entity: str, table: pa.Table, part: int) -> None:
        schema = self.schemas[entity]
        if table.column_names != schema.names:
            raise RuntimeError(f"demo {entity}: columns {table.column_names} != {schema.names}")
        folder = self.root / entity
        folder.mkdir(parents=True, exist_ok=True)
        pq.write_table(table.cast(schema), folder / f"part-{part:05d}.parquet")
        self.rows[entity] += table.num_rows
        self.written.add(entity)


@dataclass
class Totals:
    """What runs across chunks: the next order and session number, and units sold."""

    next_order: int = 1
    next_session: int = 1
    units_sold: np.ndarray | None = None


def write_chunk(
    writer: Writer,
    catalogue: Catalogue,
    totals: Totals,
    seed: int,
    part: int,
    first: int,
    size: int,
) -> None:
    """Customers number `first` .. `first + size - 1` and everything they do."""
    rng = np.random.default_rng([seed, part])
    people = make_people(rng, first, size)
    writer.write("customers", customers_table(rng, people), part)
    contacts = make_contacts(rng, people)
    writer.write("campaign_contacts", contacts_table(rng, people, contacts), part)
    orders = make_orders(rng, people, contacts, totals.next_order)
    writer.write("orders", orders.table, part)
    items, units = make_order_items(rng, catalogue, people, orders)
    writer.write("order_items", items, part)
    writer.write("email_events", make_email_events(rng, people, contacts), part)
    devices, sessions = make_device_logs(rng, people, orders, totals.next_session)
    writer.write("device_logs", devices, part)
    writer.write("events", make_events(rng, people), part)
    totals.next_order += orders.table.num_rows
    totals.next_session += sessions
    totals.units_sold = units if totals.units_sold is None else totals.units_sold + units


def swap_in(staging: Path, landing: Path, entities: list[str]) -> None:
    """Move the new entity folders into the landing zone (renames, no copying); the old
    ones go to a trash folder inside `staging`, or back if the new one cannot move in."""
    landing.mkdir(parents=True, exist_ok=True)
    trash = staging / ".replaced"
    trash.mkdir()
    for entity in entities:
        target = landing / entity
        replaced = target.exists() or target.is_symlink()
        if replaced:
            os.replace(target, trash / entity)
        try:
            os.replace(staging / entity, target)
        except OSError:
            if replaced:
                os.replace(trash / entity, target)
            raise


def generate(landing: Path, customers: int, seed: int, progress: bool = True) -> dict[str, int]:
    """Write the demo landing zone; return the rows written per entity."""
    if customers < 1:
        raise UserError(f"--customers must be at least 1 (got {customers})")
    if seed < 0:
        raise UserError(f"--seed must be 0 or more (got {seed})")
    entities = contract.load()
    landing = landing.absolute()
    staging = landing.parent / f".{landing.name}.demo-tmp"
    shutil.rmtree(staging, ignore_errors=True)
    writer = Writer(staging, entities)
    catalogue = make_catalogue(seed)
    totals = Totals()
    bar = tqdm(
        total=customers, desc="demo data", unit=" customers", file=sys.stderr, disable=not progress
    )
    try:
        for part, first in enumerate(range(0, customers, CHUNK_CUSTOMERS)):
            size = min(CHUNK_CUSTOMERS, customers - first)
            write_chunk(writer, catalogue, totals, seed, part, first + 1, size)
            bar.update(size)
        bar.close()
        writer.write("products", catalogue.table, 0)
        writer.write("campaigns", make_campaigns(seed), 0)
        writer.write("inventory", make_inventory(seed, catalogue, totals.units_sold), 0)
        missing = set(entities) - writer.written
        if missing:
            raise RuntimeError(f"the demo generator does not write {sorted(missing)}")
        swap_in(staging, landing, list(entities))
    finally:
        bar.close()
        shutil.rmtree(staging, ignore_errors=True)
    return writer.rows


def main(args: argparse.Namespace) -> int:
    landing = Path(args.landing_dir) if args.landing_dir else landing_dir()
    rows = generate(landing, args.customers, args.seed, progress=not args.quiet)
    print(f"demo data: {args.customers:,} customers, seed {args.seed}, written to {landing}")
    for entity, count in rows.items():
        print(f"  {entity:<18} {count:>12,} rows")
    return 0


# ------------------------------------------------------------------ one more day


def contract_schema(entity: str) -> pa.Schema:
    """The Arrow schema the demo writes for one landing entity."""
    columns = contract.load()[entity].columns
    return pa.schema([(column.name, arrow_type(column.data_type)) for column in columns])


def land_next_day(landing: Path, share: float = 1 / 365) -> tuple[str, int, int]:
    """Land one more day of orders after the newest landed order, for incremental builds.

    About `share` of the landed orders (picked by a hash of the order id, so the same
    landing zone always gives the same day) are copied with new order ids onto the day
    after the last order, at the same time of day, with their lines. Written as new files
    `orders/next-day-<date>.parquet` and `order_items/next-day-<date>.parquet`; nothing
    landed before changes. Returns the day and the orders and lines written.
    """
    if not 0 < share <= 1:
        raise UserError(f"the share of orders for one more day must be in (0, 1] (got {share})")
    orders_glob = str(landing / "orders" / "*.parquet")
    items_glob = str(landing / "order_items" / "*.parquet")
    buckets = 1_000_000
    connection = duckdb.connect()
    try:
        connection.execute(
            f"""
            create temp table picked as
            with landed as (
                select * from read_parquet(?, union_by_name = true)
            ),
            next_day as (
                select cast(max(ordered_at) as date) + 1 as day from landed
            )
            select
                landed.order_id as old_order_id,
                'D' || strftime(next_day.day, '%Y%m%d') || '-'
                    || lpad(cast(row_number() over (order by landed.order_id) as varchar), 9, '0')
                    as order_id,
                landed.customer_id,
                next_day.day + (landed.ordered_at - date_trunc('day', landed.ordered_at))
                    as ordered_at,
                landed.channel,
                landed.store_id,
                landed.status
            from landed
            cross join next_day
            where hash(landed.order_id) % {buckets} < {round(share * buckets)}
            """,
            [orders_glob],
        )
        day = connection.execute("select cast(min(ordered_at) as date) from picked").fetchall()
        if day[0][0] is None:
            raise UserError(f"no orders landed in {landing / 'orders'} to copy onto a new day")
        orders = connection.sql(
            "select order_id, customer_id, ordered_at, channel, store_id, status"
            " from picked order by order_id"
        ).to_arrow_table()
        items = connection.sql(
            """
            select
                picked.order_id,
                items.line_number,
                items.product_id,
                items.quantity,
                items.unit_price,
                items.discount_amount,
                items.unit_cost
            from read_parquet(?, union_by_name = true) as items
            inner join picked on items.order_id = picked.old_order_id
            order by picked.order_id, items.line_number
            """,
            params=[items_glob],
        ).to_arrow_table()
    finally:
        connection.close()
    day_text = day[0][0].isoformat()
    for entity, table in (("orders", orders), ("order_items", items)):
        folder = landing / entity
        temporary = folder / f".next-day-{day_text}.parquet.tmp"
        pq.write_table(table.cast(contract_schema(entity)), temporary)
        os.replace(temporary, folder / f"next-day-{day_text}.parquet")
    return day_text, orders.num_rows, items.num_rows
