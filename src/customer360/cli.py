"""The `customer360` command line: demo data, ingest of a user's files, and friends.

Every sub-command prints progress on stderr, results on stdout, and exits 0 on success,
1 when the input is refused (with one message saying what is wrong and what to do) and
2 on a usage error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from customer360 import __version__
from customer360.errors import UserError
from customer360.project import DEFAULTS


def _demo(args: argparse.Namespace) -> int:
    from customer360 import demo

    return demo.main(args)


def _ingest(args: argparse.Namespace) -> int:
    from customer360 import ingest

    return ingest.main(args)


def _export(args: argparse.Namespace) -> int:
    from customer360 import export

    return export.main(args)


def _publish(args: argparse.Namespace) -> int:
    from customer360 import publish

    return publish.main(args)


def _validate(args: argparse.Namespace) -> int:
    from customer360.quality import validate

    return validate.main(args)


def _default(variable: str) -> str:
    """How a help text names a C360_* setting's default."""
    return f"${variable} or {DEFAULTS[variable]}"


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _dashboard(args: argparse.Namespace) -> int:
    from customer360 import dashboard

    return dashboard.main(args)


def build_parser() -> argparse.ArgumentParser:
    """The command line; each sub-command's options are added by its own function, in the
    order `--help` lists them."""
    parser = argparse.ArgumentParser(
        prog="customer360",
        description="Customer-analytics warehouse on dbt + DuckDB: land data, build, serve.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for add_command in (add_demo, add_ingest, add_export, add_publish, add_validate, add_dashboard):
        add_command(commands)
    return parser


def add_demo(commands: argparse._SubParsersAction) -> None:
    demo = commands.add_parser(
        "demo",
        help="write a deterministic demo data set into the landing zone",
        description="Write every landing entity of the contract with realistic, "
        "deterministic demo data (same --customers and --seed, same files).",
    )
    demo.add_argument(
        "--customers",
        type=int,
        default=5000,
        metavar="N",
        help="number of customers to generate (default: %(default)s)",
    )
    demo.add_argument(
        "--seed", type=int, default=42, metavar="S", help="random seed (default: %(default)s)"
    )
    demo.add_argument(
        "--landing-dir",
        metavar="DIR",
        help=f"landing zone to write (default: {_default('C360_LANDING_DIR')})",
    )
    demo.add_argument("--quiet", action="store_true", help="no progress bar")
    demo.set_defaults(handler=_demo)


def add_ingest(commands: argparse._SubParsersAction) -> None:
    ingest = commands.add_parser(
        "ingest",
        help="map a CSV / text / Excel / Parquet file onto a landing entity",
        description="Read FILE, map its columns onto the landing entity E, print a preview "
        "and a validation report, then write landing Parquet atomically.",
    )
    ingest.add_argument("file", metavar="FILE", help="CSV (any delimiter), text, Excel or Parquet")
    ingest.add_argument(
        "--entity",
        required=True,
        metavar="E",
        help="landing entity (orders, order_items, customers, ...) or "
        "'transactions' for a flat file that becomes orders + order_items",
    )
    ingest.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="TARGET=SOURCE",
        help="map a contract column to a column of FILE (repeatable)",
    )
    ingest.add_argument(
        "--date-format",
        metavar="F",
        help="strptime format of the file's dates, e.g. %%Y%%m%%d (default: sniffed)",
    )
    ingest.add_argument("--sheet", metavar="NAME", help="Excel sheet (default: the first)")
    ingest.add_argument(
        "--dry-run", action="store_true", help="print the preview and report, write nothing"
    )
    ingest.add_argument(
        "--landing-dir",
        metavar="DIR",
        help=f"landing zone to write (default: {_default('C360_LANDING_DIR')})",
    )
    ingest.set_defaults(handler=_ingest)


def add_export(commands: argparse._SubParsersAction) -> None:
    export = commands.add_parser(
        "export",
        help="write a CRM target list (CSV or Parquet) from the warehouse",
        description="Write the customers of a segment, persona, tier and/or risk band with "
        "their contact details and retention offer. CSV cells that a spreadsheet would run "
        "as formulas are neutralised.",
    )
    export.add_argument("--segment", metavar="S", help="RFM segment, e.g. 'At Risk'")
    export.add_argument("--persona", metavar="P", help="KMeans persona, e.g. VIP")
    export.add_argument("--tier", metavar="T", help="loyalty tier, e.g. Gold")
    export.add_argument(
        "--risk", metavar="R", choices=["low", "medium", "high"], help="churn risk band"
    )
    export.add_argument("--format", choices=["csv", "parquet"], default="csv")
    export.add_argument(
        "--out", metavar="PATH", help="output file (default: exports/target_list_<filter>.<format>)"
    )
    export.add_argument(
        "--serving-dir",
        metavar="DIR",
        help="serving copy whose current version to export (default: "
        f"{_default('C360_SERVING_DIR')}); its export copy is in the private folder beside it",
    )
    export.add_argument(
        "--database",
        metavar="FILE",
        help="read exports.crm_contacts from this DuckDB file instead (e.g. the build file)",
    )
    export.set_defaults(handler=_export)


def add_publish(commands: argparse._SubParsersAction) -> None:
    publish = commands.add_parser(
        "publish",
        help="switch BI readers onto a new version of the serving copy (DuckDB + Parquet)",
        description="Copy the marts and ml schemas of the build file into a new version "
        "folder (DuckDB file, Parquet files, manifest.json), check its customer counts, then "
        "switch the serving copy's `current` pointer onto it in one atomic step. Refuses a "
        "build that did not finish, failed or was partial, and waits for no build: during "
        "one it exits 1. Run it after a successful `dbt build`.",
    )
    publish.add_argument(
        "--build-file", metavar="FILE", help="dbt build file (default: $C360_DB_PATH or dev's)"
    )
    publish.add_argument(
        "--serving-dir",
        metavar="DIR",
        help=f"where the serving copy goes (default: {_default('C360_SERVING_DIR')})",
    )
    publish.add_argument(
        "--manifest", metavar="FILE", help="dbt manifest (default: target/manifest.json)"
    )
    publish.add_argument(
        "--grace-minutes",
        type=float,
        metavar="M",
        help="keep a replaced version this long for readers that still use it (default: "
        f"{_default('C360_SERVING_GRACE_MINUTES')})",
    )
    publish.set_defaults(handler=_publish)


def add_validate(commands: argparse._SubParsersAction) -> None:
    validate = commands.add_parser(
        "validate",
        help="check the landing zone and the serving copy with Great Expectations",
        description="Run the Great Expectations suites (landing types, required columns, "
        "value sets, dates; mart business rules) against the landing zone and the serving "
        "copy, store the results as a table and as Data Docs HTML. Exit 1 when a critical "
        "expectation fails; warnings are printed.",
    )
    validate.add_argument(
        "--serving-dir",
        metavar="DIR",
        help=f"the serving copy to check (default: {_default('C360_SERVING_DIR')})",
    )
    validate.add_argument(
        "--landing-dir",
        metavar="DIR",
        help=f"the landing zone to check (default: {_default('C360_LANDING_DIR')})",
    )
    validate.add_argument(
        "--out",
        metavar="DIR",
        help=f"where results and Data Docs go (default: {_default('C360_QUALITY_DIR')})",
    )
    validate.add_argument(
        "--vars",
        metavar="YAML",
        help="thresholds as a YAML/JSON dict, like dbt's --vars (default: dbt_project.yml's)",
    )
    validate.add_argument(
        "--quiet",
        action="store_true",
        help="no progress messages (warnings and errors are still printed)",
    )
    validate.set_defaults(handler=_validate)


def add_dashboard(commands: argparse._SubParsersAction) -> None:
    dashboard = commands.add_parser(
        "dashboard",
        help="render the static HTML dashboards (Plotly, offline) from the serving copy",
        description="Run the dashboards' queries read-only against the serving copy and write "
        "seven self-contained HTML pages (Plotly inlined, no personal data). The same serving "
        "copy gives byte-identical pages.",
    )
    dashboard.add_argument(
        "--serving-dir",
        metavar="DIR",
        help=f"serving copy to read (default: {_default('C360_SERVING_DIR')})",
    )
    dashboard.add_argument(
        "--quality-dir",
        metavar="DIR",
        help=f"validation results and data docs (default: {_default('C360_QUALITY_DIR')})",
    )
    dashboard.add_argument(
        "--out",
        metavar="DIR",
        help=f"folder for the pages (default: {_default('C360_DASHBOARD_DIR')})",
    )
    dashboard.add_argument(
        "--max-list-rows",
        type=_positive_int,
        default=20000,
        metavar="N",
        help="customers per filter value in the downloadable target list (default: %(default)s)",
    )
    dashboard.add_argument("--quiet", action="store_true", help="no progress on stderr")
    dashboard.set_defaults(handler=_dashboard)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except UserError as error:
        print(f"customer360 {args.command}: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
