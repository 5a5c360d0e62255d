"""`make bench`: generate demo data, then time ingest and `dbt build` stage by stage.

Prints wall time and peak memory (maximum resident set size) for each stage, the disk the
build file and the landing zone take, and the build time per layer and of the slowest
models from dbt's run_results.json. Figures are printed, never asserted: speed is
measured here, not in tests.

    python -m customer360.bench [--order-lines 1000000 | --customers N] [--workdir DIR]

About 10 order lines are generated per customer.

The floor, measured in the same run on the same landing zone, is what the data costs in
bare DuckDB without any of the project: parse the landed orders and order lines once,
one RFM aggregate per customer and one count of product pairs per basket. The full build
is reported as a multiple of it.

After the full build, one more day of orders (about 1/365 of the landed orders, copied
deterministically onto the day after the last order) is landed and an incremental
`dbt build` is timed beside the full one, as a share of it (`--no-incremental` skips it).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import duckdb

from customer360.demo import land_next_day
from customer360.project import project_dir, setting


@dataclass
class Stage:
    name: str
    seconds: float
    peak_mb: float


def measure(name: str, command: list[str], env: dict[str, str] | None = None) -> Stage:
    """Run a command to completion; return its wall time and peak memory."""
    print(f"-- {name}: {' '.join(command)}", file=sys.stderr, flush=True)
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=project_dir(), stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"bench: stage '{name}' failed (exit {os.waitstatus_to_exitcode(status)})")
    return Stage(name, seconds, usage.ru_maxrss / 1024)


FLOOR_SQL = """
create table lines as
select orders.customer_id, orders.order_id, orders.ordered_at, items.product_id,
       try_cast(items.quantity as double) * try_cast(items.unit_price as double) as amount
from read_parquet('{landing}/order_items/*.parquet', union_by_name = true) as items
inner join read_parquet('{landing}/orders/*.parquet', union_by_name = true) as orders
    using (order_id);
create table rfm as
select customer_id, max(ordered_at) as last_order, count(distinct order_id) as orders,
       sum(amount) as monetary
from lines group by customer_id;
create table pairs as
with baskets as (select distinct order_id, product_id from lines)
select a.product_id as first_product, b.product_id as second_product, count(*) as baskets
from baskets as a inner join baskets as b
    on a.order_id = b.order_id and a.product_id < b.product_id
group by all;
"""


def run_floor(landing: Path, database: Path) -> None:
    """The floor's work (FLOOR_SQL), in a fresh DuckDB file with the build's memory limit.
    Writes its seconds, without the interpreter's start, to `<database>.seconds`."""
    database.unlink(missing_ok=True)
    started = time.perf_counter()
    with duckdb.connect(str(database)) as connection:
        connection.execute(f"set memory_limit = '{setting('C360_MEMORY_LIMIT')}'")
        connection.execute(FLOOR_SQL.format(landing=landing))
    seconds = time.perf_counter() - started
    database.unlink(missing_ok=True)
    Path(f"{database}.seconds").write_text(f"{seconds}\n")


def disk_mb(*paths: Path) -> float:
    files = [p for path in paths for p in ([path] if path.is_file() else path.rglob("*"))]
    return sum(p.stat().st_size for p in files if p.is_file()) / 1e6


def write_flat_transactions(landing: Path, csv_path: Path) -> int:
    """Export the demo order lines as a flat `CustomerID, TransactionDate, ...` CSV."""
    connection = duckdb.connect()
    connection.execute(
        f"""
        copy (
            select
                orders.customer_id as "CustomerID",
                strftime(orders.ordered_at, '%Y-%m-%d %H:%M:%S') as "TransactionDate",
                items.quantity * items.unit_price as "TransactionAmount",
                coalesce(products.category, 'Other') as "ProductCategory",
                items.quantity as "Quantity"
            from read_parquet('{landing}/order_items/*.parquet') as items
            inner join read_parquet('{landing}/orders/*.parquet') as orders
                on items.order_id = orders.order_id
            left join read_parquet('{landing}/products/*.parquet') as products
                on items.product_id = products.product_id
        ) to '{csv_path}' (header, delimiter ',')
        """
    )
    rows = connection.execute(f"select count(*) from read_csv('{csv_path}')").fetchall()[0][0]
    connection.close()
    return rows


def layer_times(run_results: Path) -> tuple[dict[str, float], list[tuple[str, float]]]:
    """Seconds per layer (staging, intermediate, marts, python models, tests) and per node,
    from a run results file in a dbt target folder (with that build's manifest.json)."""
    results = json.loads(run_results.read_text())["results"]
    manifest = json.loads((run_results.parent / "manifest.json").read_text())["nodes"]
    layers: dict[str, float] = defaultdict(float)
    nodes = []
    for result in results:
        unique_id = result["unique_id"]
        kind = unique_id.split(".")[0]
        seconds = float(result["execution_time"])
        if kind == "model":
            path = result.get("relation_name") or unique_id
            layer = unique_id.split(".")[-1].split("_")[0]
            layer = {"stg": "staging", "base": "staging", "int": "intermediate"}.get(
                layer, "marts and other models"
            )
            if manifest.get(unique_id, {}).get("language") == "python":
                layer = "python models (ML)"
            nodes.append((f"{unique_id.split('.')[-1]} ({path})", seconds))
        else:
            layer = {"test": "data tests", "unit_test": "unit tests", "seed": "seeds"}.get(
                kind, kind
            )
        layers[layer] += seconds
    nodes.sort(key=lambda node: -node[1])
    return dict(layers), nodes


def print_layers(builds: list[tuple[str, Path]]) -> None:
    """Per build: summed node time per layer, the slowest models, and for the incremental
    build the incremental models."""
    for name, results in builds:
        layers, nodes = layer_times(results)
        elapsed = json.loads(results.read_text())["elapsed_time"]
        print(f"\n{name}: {elapsed:.1f} s in dbt's nodes (the wall time adds start-up and parse)")
        print("summed node time per layer (threads run nodes in parallel):")
        for layer, seconds in sorted(layers.items(), key=lambda item: -item[1]):
            print(f"  {layer:<38} {seconds:>8.1f}")
        print("slowest models:")
        for node, seconds in nodes[:8]:
            print(f"  {node:<60} {seconds:>6.2f}")
        if name != "dbt build":
            print("incremental models:")
            for node, seconds in nodes:
                if node.startswith(("fct_order_lines ", "fct_orders ")):
                    print(f"  {node:<60} {seconds:>6.2f}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="customer360-bench", description=__doc__.split("\n")[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument(
        "--order-lines",
        type=int,
        help="about this many order lines (10 per customer; default 1,000,000)",
    )
    size.add_argument("--customers", type=int, help="this many demo customers")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--workdir", type=Path, default=Path("warehouse/bench"))
    parser.add_argument("--skip-ingest", action="store_true", help="time the build only")
    parser.add_argument(
        "--no-incremental",
        dest="incremental",
        action="store_false",
        help="skip landing one more day of orders and timing an incremental build",
    )
    parser.add_argument(
        "--floor-only", type=Path, metavar="LANDING", help=argparse.SUPPRESS
    )  # the floor's own process, started by measure() so its memory is its own
    return parser


def time_ingest(workdir: Path, landing: Path, bin_dir: Path) -> Stage:
    """Ingest the demo order lines as one flat transaction file, into a landing zone of
    its own."""
    csv_path = workdir / "transactions.csv"
    flat_rows = write_flat_transactions(landing, csv_path)
    print(f"-- wrote {flat_rows:,} flat transaction rows to {csv_path}", file=sys.stderr)
    return measure(
        f"ingest {flat_rows:,}-row flat CSV",
        [
            str(bin_dir / "customer360"),
            "ingest",
            str(csv_path),
            "--entity",
            "transactions",
            "--landing-dir",
            str(workdir / "ingest_landing"),
        ],
    )


def time_floor(workdir: Path, landing: Path) -> Stage:
    """The floor in a process of its own; its seconds are the ones it measured itself."""
    floor = measure(
        "floor: bare DuckDB, parse + RFM + pair count",
        [
            sys.executable,
            "-m",
            "customer360.bench",
            "--workdir",
            str(workdir),
            "--floor-only",
            str(landing),
        ],
    )
    floor.seconds = float((workdir / "floor.duckdb.seconds").read_text())
    return floor


def time_incremental(
    target: Path, landing: Path, bin_dir: Path, env: dict[str, str]
) -> tuple[Stage, Path]:
    """Land one more day of orders and time the incremental build in the full build's
    target folder (so dbt parses the project partially, as a user's next build does);
    returns the stage and its run results."""
    day, day_orders, day_lines = land_next_day(landing)
    print(
        f"-- landed one more day ({day}): {day_orders:,} orders, {day_lines:,} lines",
        file=sys.stderr,
    )
    name = f"dbt build, incremental +1 day ({day_lines:,} lines)"
    stage = measure(name, [str(bin_dir / "dbt"), "build", "--target-path", str(target)], env)
    return stage, target / "run_results.json"


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.floor_only:
        run_floor(args.floor_only, args.workdir.resolve() / "floor.duckdb")
        return 0
    if args.customers is None:
        args.customers = (args.order_lines or 1_000_000) // 10

    workdir = (project_dir() / args.workdir).resolve()
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    landing = workdir / "landing"
    bin_dir = Path(sys.executable).parent
    stages = [
        measure(
            "demo data",
            [
                str(bin_dir / "customer360"),
                "demo",
                "--quiet",
                "--customers",
                str(args.customers),
                "--seed",
                str(args.seed),
                "--landing-dir",
                str(landing),
            ],
        )
    ]
    order_lines = duckdb.sql(
        f"select count(*) from read_parquet('{landing}/order_items/*.parquet')"
    ).fetchall()[0][0]
    if not args.skip_ingest:
        stages.append(time_ingest(workdir, landing, bin_dir))
    floor = time_floor(workdir, landing)
    stages.append(floor)

    env = {
        **os.environ,
        "DBT_PROFILES_DIR": str(project_dir()),
        "C360_LANDING_DIR": str(landing),
        "C360_DB_PATH": str(workdir / "bench.duckdb"),
    }
    target = workdir / "target"
    full = measure("dbt build", [str(bin_dir / "dbt"), "build", "--target-path", str(target)], env)
    stages.append(full)
    full_results = target / "run_results-full-build.json"
    (target / "run_results.json").replace(full_results)
    builds = [("dbt build", full_results)]
    disk = disk_mb(workdir / "bench.duckdb")
    incremental = None
    if args.incremental:
        incremental, incremental_results = time_incremental(target, landing, bin_dir, env)
        stages.append(incremental)
        builds.append((incremental.name, incremental_results))

    print(f"\ncustomer360 benchmark: {args.customers:,} customers, {order_lines:,} order lines")
    print(f"{'stage':<50} {'wall s':>8} {'peak MB':>9}")
    for stage in stages:
        print(f"{stage.name:<50} {stage.seconds:>8.1f} {stage.peak_mb:>9.0f}")
    print(f"\nfull build / floor:            {full.seconds / floor.seconds:>8.1f} x")
    if incremental:
        print(f"incremental / full build:      {incremental.seconds / full.seconds:>8.1%}")
    print(f"build file on disk:            {disk:>8.0f} MB")
    print(f"landing zone on disk:          {disk_mb(landing):>8.0f} MB")
    print_layers(builds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
