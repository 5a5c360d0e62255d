"""The demo catalogue (products, their popularity and bundle partners) and the stock
receipts sized from what sold."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from customer360.demo.common import GLOBAL_STREAM, WINDOW_DAYS, dates, money, numbered

PRODUCTS = 300
# Bundles by popularity rank: (product, partner pulled into its baskets, probability).
# The partner of the first bundle is over-stocked: a dead-stock product in a frequent pair.
BUNDLES = [(0, 14, 0.65), (1, 22, 0.7), (3, 40, 0.6)]
OVERSTOCKED_SHARE = 0.19

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
# fmt: off
ADJECTIVES = ["Classic", "Organic", "Eco", "Premium", "Compact", "Everyday", "Deluxe", "Mini",
              "Nordic", "Urban"]
# fmt: on


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
