"""`customer360 export`: write a CRM target list from the warehouse's export model.

Reads the export copy that `customer360 publish` made of the current serving version (in
the private folder beside the serving copy, customer360.serving), so it works while dbt
rebuilds the build file and always lists the customers of the build BI shows. Filters
`exports.crm_contacts` by segment, persona, tier and / or risk band and writes CSV
or Parquet. In CSV, a text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage
return is prefixed with `'`, so a spreadsheet shows it as text instead of running it as a
formula (CSV injection).

Without `--out`, the file is `exports/target_list_<label>.<format>`, the label a slug of the
filter values (ASCII letters, digits, `-` and `_`, at most LABEL_MAX_CHARS), so no filter
value (`../`, `/`, NUL, a very long text) can make the default path leave `exports/`. An
explicit `--out` is written where the user says.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import sys
import unicodedata
from pathlib import Path

import duckdb

from customer360 import serving
from customer360.errors import UserError

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FILTERS = {"segment": "rfm_segment", "persona": "persona", "tier": "tier", "risk": "risk_band"}
EXPORTS_DIR = Path("exports")
LABEL_MAX_CHARS = 80  # the file name stays far below the usual 255-byte limit
UNSAFE_RUN = re.compile(r"[^a-z0-9_-]+")


def neutralise(value: object) -> object:
    """A text value that a spreadsheet would run as a formula, made inert."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def slug(value: str) -> str:
    """A file-name-safe form of a filter value: accents dropped ('Ü' -> 'u'), lower case,
    every run of other characters (spaces, dots, slashes, NUL) one `-`, `-` and `_` trimmed
    from the ends; 'value' when nothing is left ('../')."""
    ascii_text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return UNSAFE_RUN.sub("-", ascii_text.lower()).strip("-_")[:LABEL_MAX_CHARS] or "value"


def default_out(filters: dict[str, str], file_format: str) -> Path:
    """exports/target_list_<label>.<format>, the label the filter values' slugs."""
    label = "_".join(slug(value) for value in filters.values())[:LABEL_MAX_CHARS].strip("-_")
    return EXPORTS_DIR / f"target_list_{label}.{file_format}"


def export_copy(serving_dir: Path) -> Path:
    """The export copy of the serving version that is current now."""
    version = serving.current(serving_dir)
    path = version.exports_file(serving_dir)
    if not path.is_file():
        raise UserError(
            f"{path}: no export copy for serving version {version.name}; run "
            "`customer360 publish` (publish writes it beside the serving copy)"
        )
    return path


def export(filters: dict[str, str], out: Path, file_format: str, database: Path) -> int:
    """Write the matching contacts; return how many rows were written."""
    if not database.is_file():
        raise UserError(f"{database}: no warehouse yet; build it first with `make run`")
    try:
        connection = duckdb.connect(str(database), read_only=True)
    except duckdb.Error as error:
        raise UserError(f"{database}: cannot open the warehouse: {error}") from error
    conditions = [f"{FILTERS[name]} = ?" for name in filters]
    where = f"where {' and '.join(conditions)}" if conditions else ""
    try:
        relation = connection.execute(
            f"select * from exports.crm_contacts {where} order by customer_id",
            list(filters.values()),
        )
    except duckdb.CatalogException as error:
        raise UserError(f"{database}: no export model; run `dbt build` first ({error})") from error
    columns = [column[0] for column in relation.description]
    rows = relation.fetchall()
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary = out.with_name(f".{out.name}.tmp")
    if file_format == "csv":
        with temporary.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(columns)
            writer.writerows([neutralise(value) for value in row] for row in rows)
    else:
        connection.execute(
            f"copy (select * from exports.crm_contacts {where} order by customer_id) "
            f"to '{str(temporary).replace(chr(39), chr(39) * 2)}' (format parquet)",
            list(filters.values()),
        )
    connection.close()
    os.replace(temporary, out)
    return len(rows)


def main(args: argparse.Namespace) -> int:
    filters = {name: getattr(args, name) for name in FILTERS if getattr(args, name)}
    if not filters:
        raise UserError("choose the target list with --segment, --persona, --tier or --risk")
    out = Path(args.out) if args.out else default_out(filters, args.format)
    if args.database:
        database = Path(args.database)
    else:
        database = export_copy(
            Path(args.serving_dir) if args.serving_dir else serving.default_serving_dir()
        )
    count = export(filters, out, args.format, database)
    print(f"{count:,} contacts written to {out}")
    if count == 0:
        print("no customer matches: check the spelling (e.g. --segment 'At Risk')", file=sys.stderr)
    return 0
