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
- six campaigns (e-mail, SMS, web) contact the customers of their target segment, holding
  out a fifth of them as a control group; some contacted customers place an extra order
  within two weeks (the planted campaign effect, which campaign_lift recovers). A
  newsletter goes to subscribers every four weeks; opens and clicks follow a per-customer
  propensity that fades after churn, with a few bounces and unsubscribes (after which no
  more e-mail is sent).
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

One module per entity (customers, products, campaigns, orders, email_events, devices,
events); common holds the window and the column builders, writing the part files, and
next_day the one more day of orders for incremental builds.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from customer360 import contract
from customer360.demo.campaigns import contacts_table, make_campaigns, make_contacts
from customer360.demo.customers import customers_table, make_people
from customer360.demo.devices import make_device_logs
from customer360.demo.email_events import make_email_events
from customer360.demo.events import make_events
from customer360.demo.next_day import land_next_day
from customer360.demo.orders import make_order_items, make_orders
from customer360.demo.products import Catalogue, make_catalogue, make_inventory
from customer360.demo.writing import Writer, contract_schema, swap_in
from customer360.errors import UserError
from customer360.project import landing_dir

__all__ = ["contract_schema", "generate", "land_next_day", "main"]

# Customers per chunk: one rng stream and one part file per entity each, freed once written.
CHUNK_CUSTOMERS = 25_000


@dataclass
class Totals:
    """What runs across chunks: the next order and session number, and units sold."""

    next_order: int = 1
    next_session: int = 1
    units_sold: np.ndarray | None = None
    planted_orders: list[str] | None = None  # collected when the caller asks for them


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
    if totals.planted_orders is not None:
        ids = orders.table["order_id"].to_numpy(zero_copy_only=False)
        totals.planted_orders.extend(ids[orders.planted].tolist())
    items, units = make_order_items(rng, catalogue, people, orders)
    writer.write("order_items", items, part)
    writer.write("email_events", make_email_events(rng, people, contacts), part)
    devices, sessions = make_device_logs(rng, people, orders, totals.next_session)
    writer.write("device_logs", devices, part)
    writer.write("events", make_events(rng, people), part)
    totals.next_order += orders.table.num_rows
    totals.next_session += sessions
    totals.units_sold = units if totals.units_sold is None else totals.units_sold + units


def generate(
    landing: Path,
    customers: int,
    seed: int,
    progress: bool = True,
    planted_orders: list[str] | None = None,
) -> dict[str, int]:
    """Write the demo landing zone; return the rows written per entity. With a list as
    `planted_orders`, the ids of the campaigns' planted extra orders (the true campaign
    effect, see customer360.demo.campaigns) are appended to it."""
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
    totals = Totals(planted_orders=planted_orders)
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
