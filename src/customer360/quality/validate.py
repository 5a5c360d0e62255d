"""`customer360 validate`: run the Great Expectations suites against the landing zone and
the serving copy, store the results and the Data Docs, and fail on a critical failure.

Outputs (under --out, default $C360_QUALITY_DIR or warehouse/quality), each written to a
temporary name and renamed into place:
  validation.duckdb          table validation_results: every run (a run replaces its rows)
  validation_results.parquet the latest run
  data_docs/index.html       the GX Data Docs site of the latest run
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from customer360 import contract
from customer360.errors import UserError
from customer360.project import landing_dir as default_landing_dir
from customer360.project import project_dir, project_vars, setting_path
from customer360.quality import runner, suites
from customer360.quality.runner import Result
from customer360.serving import current, default_serving_dir

RESULT_COLUMNS = (
    ("run_id", pa.string()),
    ("as_of_date", pa.date32()),
    ("suite", pa.string()),
    ("table_name", pa.string()),
    ("expectation", pa.string()),
    ("column_name", pa.string()),
    ("severity", pa.string()),
    ("success", pa.bool_()),
    ("observed_value", pa.string()),
    ("unexpected_count", pa.int64()),
    ("details", pa.string()),
)


def parse_vars(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise UserError(f"--vars: not a YAML/JSON dict: {error}") from error
    if not isinstance(value, dict):
        raise UserError("--vars: give a YAML/JSON dict, e.g. --vars '{dead_stock_ratio: 0.5}'")
    return value


def publish_info(serving_file: Path) -> dict[str, Any]:
    try:
        with duckdb.connect(str(serving_file), read_only=True) as connection:
            cursor = connection.execute("select * from main.publish_info")
            names = [column[0] for column in cursor.description]
            rows = cursor.fetchall()
    except duckdb.Error as error:
        raise UserError(
            f"{serving_file}: not a published serving copy ({str(error).splitlines()[0]}); "
            "run `make run` / `customer360 publish` first"
        ) from error
    if len(rows) != 1:
        raise UserError(f"{serving_file}: publish_info has {len(rows)} rows; republish it")
    return dict(zip(names, rows[0], strict=True))


def run_id_for(info: dict[str, Any], suite_list: list[suites.Suite]) -> str:
    """Deterministic: the same build (publish_info), vars, landed files (names and sizes)
    and suite definitions give the same id."""
    definition = [
        [
            suite.gx_name,
            suite.sql,
            [
                [check.name, check.expectation, check.kwargs, check.severity]
                for check in suite.checks
            ],
        ]
        for suite in suite_list
    ]
    payload = json.dumps([info, definition], default=str, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def as_date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value if not isinstance(value, dt.datetime) else value.date()
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as error:
        raise UserError(f"--vars: as_of_date {value!r} is not a date (YYYY-MM-DD)") from error


def result_table(results: list[Result], run_id: str, as_of_date: dt.date | None) -> pa.Table:
    rows = [
        {
            "run_id": run_id,
            "as_of_date": as_of_date,
            "suite": result.suite.suite,
            "table_name": result.suite.table,
            "expectation": result.check.name,
            "column_name": result.check.column_name,
            "severity": result.check.severity,
            "success": result.success,
            "observed_value": result.observed_value,
            "unexpected_count": result.unexpected_count,
            "details": result.details,
        }
        for result in results
    ]
    return pa.Table.from_pylist(rows, schema=pa.schema(list(RESULT_COLUMNS)))


def write_outputs(table: pa.Table, run_id: str, out: Path, docs_tmp: Path | None) -> None:
    out.mkdir(parents=True, exist_ok=True)
    suffix = f"{os.getpid()}.tmp"
    parquet_tmp = out / f".validation_results.parquet.{suffix}"
    pq.write_table(table, parquet_tmp)
    database = out / "validation.duckdb"
    database_tmp = out / f".validation.duckdb.{suffix}"
    try:
        if database.is_file():
            shutil.copyfile(database, database_tmp)
        with duckdb.connect(str(database_tmp)) as connection:
            connection.register("latest", table)
            connection.execute(
                "create table if not exists validation_results as select * from latest where false"
            )
            connection.execute("delete from validation_results where run_id = ?", [run_id])
            connection.execute("insert into validation_results select * from latest")
            connection.execute("checkpoint")
        os.replace(database_tmp, database)
        os.replace(parquet_tmp, out / "validation_results.parquet")
        if docs_tmp is not None:
            runner.replace_dir(docs_tmp, out / "data_docs")
    finally:
        for leftover in (parquet_tmp, database_tmp, Path(f"{database_tmp}.wal")):
            leftover.unlink(missing_ok=True)


def summary_lines(results: list[Result]) -> list[str]:
    counts: dict[str, list[int]] = {}
    for result in results:
        total = counts.setdefault(result.suite.suite, [0, 0, 0, 0])
        total[0] += 1
        total[1] += result.success
        total[2] += not result.success and result.check.severity == suites.CRITICAL
        total[3] += not result.success and result.check.severity == suites.WARNING
    header = (
        f"{'suite':<16} {'expectations':>12} {'passed':>7} {'failed critical':>16} "
        f"{'failed warnings':>16}"
    )
    lines = [header]
    for suite, (total, passed, critical, warnings) in counts.items():
        lines.append(f"{suite:<16} {total:>12} {passed:>7} {critical:>16} {warnings:>16}")
    return lines


def describe(result: Result) -> str:
    column = f".{result.check.column_name}" if result.check.column_name else ""
    return (
        f"{result.suite.suite} / {result.suite.table}{column}: {result.check.name} — "
        f"observed {result.observed_value}"
    )


def report(results: list[Result], out: Path | None = None) -> int:
    """Print the summary (stdout) and the failures (stderr); return the exit code."""
    print("\n".join(summary_lines(results)))
    if out is not None:
        print(f"results:   {out / 'validation.duckdb'} (table validation_results)")
        print(f"           {out / 'validation_results.parquet'}")
        print(f"data docs: {out / 'data_docs' / 'index.html'}")
    warnings = [r for r in results if not r.success and r.check.severity == suites.WARNING]
    critical = [r for r in results if not r.success and r.check.severity == suites.CRITICAL]
    if warnings:
        print(f"{len(warnings)} warning(s):", file=sys.stderr)
        for result in warnings:
            print(f"  warning: {describe(result)}", file=sys.stderr)
    if critical:
        print(
            f"customer360 validate: error: {len(critical)} critical expectation(s) failed:",
            file=sys.stderr,
        )
        for result in critical:
            print(f"  {describe(result)}\n    what to do: {result.check.advice}", file=sys.stderr)
        return 1
    return 0


def validate(
    serving_dir: Path,
    landing: Path,
    out: Path,
    overrides: dict[str, Any],
    quiet: bool = False,
    suite_list: list[suites.Suite] | None = None,
    batch_rows: int = runner.BATCH_ROWS,
) -> tuple[list[Result], str]:
    """Run every suite; write the outputs; return the results and the run id."""
    project = project_dir()
    serving_file = current(serving_dir).database  # one version for the whole run
    info = publish_info(serving_file)
    for per_publish in ("build_id", "version"):  # the same data and vars: the same run id
        info.pop(per_publish, None)
    thresholds = {**project_vars(project), **overrides}
    as_of_date = as_date(overrides.get("as_of_date") or info.get("as_of_date"))
    progress = None if quiet else runner.log
    landing_connection = duckdb.connect()
    serving_connection = duckdb.connect(str(serving_file), read_only=True)
    try:
        if suite_list is None:
            rules = suites.Rules.load(project, thresholds)
            suite_list = [
                *suites.landing_suites(landing_connection, landing, contract.load(), as_of_date),
                *suites.mart_suites(rules),
            ]
        landed = sorted(
            (str(path.relative_to(landing)), path.stat().st_size)
            for path in (landing.rglob("*") if landing.is_dir() else [])
            if path.is_file()
        )
        run_id = run_id_for({**info, "vars": thresholds, "landing": landed}, suite_list)
        run_time = dt.datetime.combine(as_of_date or dt.date(1970, 1, 1), dt.time(), dt.UTC)
        out.mkdir(parents=True, exist_ok=True)
        docs_tmp = out / f".data_docs.{os.getpid()}.tmp"
        shutil.rmtree(docs_tmp, ignore_errors=True)
        try:
            results = runner.run_suites(
                suite_list,
                {"landing": landing_connection, "serving": serving_connection},
                run_name=run_id,
                run_time=run_time,
                docs_dir=docs_tmp,
                batch_rows=batch_rows,
                progress=progress,
            )
            write_outputs(result_table(results, run_id, as_of_date), run_id, out, docs_tmp)
        finally:
            shutil.rmtree(docs_tmp, ignore_errors=True)
    finally:
        landing_connection.close()
        serving_connection.close()
    return results, run_id


def main(args: argparse.Namespace) -> int:
    serving_dir = Path(args.serving_dir) if args.serving_dir else default_serving_dir()
    landing = Path(args.landing_dir) if args.landing_dir else default_landing_dir()
    out = Path(args.out) if args.out else setting_path("C360_QUALITY_DIR")
    overrides = parse_vars(args.vars)
    if not args.quiet:
        runner.log(f"validating {current(serving_dir).database} and {landing} ...")
    results, run_id = validate(serving_dir, landing, out, overrides, quiet=args.quiet)
    print(f"run {run_id}: {len(results)} expectations")
    return report(results, out)
