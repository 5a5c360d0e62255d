"""`customer360 ingest`: map a user's file onto the landing contract.

Reads CSV (any delimiter), whitespace-separated text, Excel or Parquet; sniffs the
delimiter, the header, the date formats and the decimal separator; maps columns by
explicit `--map` or by name (case and punctuation ignored, common synonyms known); prints
the mapping, a preview and a validation report that predicts what staging will do, with
the same rules and reason codes, generated from the contract; then writes landing Parquet
atomically. All the row work happens in DuckDB.

A file without a header row gets the column names `column1`, `column2`, ... in file
order, so its columns are mapped with `--map customer_id=column1`.

Landed files hold every contract column as text (dates normalised to ISO, numbers to a
plain decimal point; a value that does not parse is kept as it is, so staging rejects it
with the raw value), plus `_source_file` and `_source_row`: the user's file and the row a
user sees there (for a text file the line number with the header as line 1, for Excel the
sheet row, for Parquet the row index + 1).

A flat transaction file (`--entity transactions`: one row per purchase or line) becomes
orders + order_items, plus products when only a category names the product. An `events`
file with an amount also becomes orders + order_items: one line per event with a positive
amount.

The steps, one module each: reading (with sniffing and, for delimited text, delimited),
mapping, values, outputs, validation, report and writing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

from customer360 import contract, landing_commit
from customer360.errors import UserError
from customer360.ingest.common import Report, Source, first_line
from customer360.ingest.mapping import check_entity, resolve_mapping
from customer360.ingest.outputs import Output, build_outputs
from customer360.ingest.reading import read_source
from customer360.ingest.report import (
    order_notes,
    output_notes,
    print_counts,
    print_preview,
    print_source,
)
from customer360.ingest.validation import validate
from customer360.ingest.values import column_kinds, map_values
from customer360.ingest.writing import recover, write
from customer360.project import landing_dir

__all__ = ["Report", "ingest", "main"]


def analyse(
    connection: duckdb.DuckDBPyConnection,
    source: Source,
    entity_name: str,
    maps: list[str],
    date_format: str | None,
    landing: Path,
) -> tuple[Report, list[Output]]:
    """Map the source onto the entity, build the outputs and predict their outcomes."""
    entities = contract.load()
    mapping = resolve_mapping(source, entity_name, entities, maps)
    ignored = [column for column in source.columns if column not in mapping.values()]
    report = Report(mapping, ignored)
    report.notes += output_notes(entity_name, mapping, source.rows)
    print("sniffing dates and numbers ...", file=sys.stderr, flush=True)
    try:
        values = map_values(
            connection, mapping, column_kinds(entity_name, entities), date_format, report
        )
        outputs = build_outputs(entity_name, values, entities, str(source.path.resolve()))
        print("validating ...", file=sys.stderr, flush=True)
        report.counts = validate(connection, outputs, landing, source.path.stem, report)
        report.notes += order_notes(connection, outputs)
    except duckdb.Error as error:
        raise UserError(f"{source.path}: cannot map the file: {first_line(error)}") from error
    return report, outputs


def ingest(
    path: Path,
    entity_name: str,
    maps: list[str],
    date_format: str | None,
    sheet: str | None,
    landing: Path,
    dry_run: bool = False,
) -> Report:
    """Read, map, validate and (unless dry_run) land one file; print the report on
    stdout and progress on stderr. Any UserError leaves the landing zone unchanged."""
    check_entity(entity_name, contract.load())
    if landing.is_dir() and not dry_run:  # predict against a landing zone readers can see
        with landing_commit.locked(landing):
            recover(landing)
    with duckdb.connect() as connection:
        print(f"reading {path} ...", file=sys.stderr, flush=True)
        source = read_source(connection, path, sheet)
        report, outputs = analyse(connection, source, entity_name, maps, date_format, landing)
        print_source(source, entity_name, outputs, report)
        print_preview(connection, entity_name, outputs)
        print_counts(report.counts)
        if dry_run:
            print("dry run: nothing written")
            return report
        print("writing ...", file=sys.stderr, flush=True)
        report.written, removed = write(connection, outputs, landing, path.stem, entity_name)
    for written in report.written:
        print(f"written:  {written}")
    for gone in removed:
        print(f"removed:  {gone} (an earlier version of this file wrote it; this one does not)")
    return report


def main(args: argparse.Namespace) -> int:
    """The `customer360 ingest` command."""
    landing = Path(args.landing_dir) if args.landing_dir else landing_dir()
    ingest(
        Path(args.file),
        args.entity,
        args.map,
        args.date_format,
        args.sheet,
        landing.resolve(),
        args.dry_run,
    )
    return 0
