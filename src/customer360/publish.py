"""`customer360 publish`: copy what BI reads out of the private build file into a new
version of the serving copy, check it, and switch readers onto it in one atomic step.

dbt builds into a private DuckDB file that no reader opens (DuckDB allows one writer, and
a reader holding the file would block the build). Publish:

1. refuses a build that did not finish, failed or was partial (the build's own record,
   `ops.build_runs`, customer360.build_state) and holds the build lock meanwhile, so no
   build starts while it reads;
2. writes a new version folder (customer360.serving describes the layout): the `marts` and
   `ml` schemas in a DuckDB file, with the dbt descriptions as table and column comments
   and a `publish_info` table; one Parquet file per table; manifest.json (build id, as-of
   date, vars, landing data, tables and rows). Rows are sorted by all columns, key first,
   so the same build gives the same Parquet bytes. The contact list for `customer360
   export` goes to the private folder, never the serving one;
3. runs the critical consistency checks (customer counts within groups, the `counts`
   suite of `customer360 validate`) on the new copy: a failure publishes nothing;
4. switches the `current` pointer onto the new version (one rename), and removes versions
   replaced more than the grace period ago and what interrupted publishes left behind.

Killed at any point, readers keep the last good version; the next publish cleans up.
Test hook: C360_FAULT=publish:<point> exits at `writing` (some tables written),
`before-switch` (version complete, pointer not switched) or `after-switch` (pointer
switched, nothing cleaned).
"""

from __future__ import annotations

import argparse
import datetime as dt
import fcntl
import json
import os
import shutil
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from customer360 import build_state, serving
from customer360.errors import UserError, die_at
from customer360.project import DEFAULTS, project_dir, setting, setting_path
from customer360.quality.suites import counts_suite

SERVED_SCHEMAS = ("marts", "ml")
PRIVATE_SCHEMAS = ("exports",)
DEFAULT_GRACE_MINUTES = int(DEFAULTS["C360_SERVING_GRACE_MINUTES"])
STAGING_PREFIX = ".staging-"
RETIRED_MARKER = ".retired"  # its mtime: when the version stopped being current
STABLE_LINKS = (serving.DATABASE, serving.PARQUET, serving.MANIFEST)
LOCK_FILE = ".publish.lock"


def default_build_file() -> Path:
    return setting_path("C360_DB_PATH")


def default_grace_minutes() -> float:
    text = setting("C360_SERVING_GRACE_MINUTES")
    try:
        return max(float(text), 0.0)
    except ValueError:
        raise UserError(f"C360_SERVING_GRACE_MINUTES={text!r} is not a number of minutes") from None


def sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def descriptions(manifest_path: Path) -> dict[tuple[str, str], dict]:
    """(schema, table) -> {"description": ..., "columns": {name: description}}."""
    if not manifest_path.is_file():
        return {}
    manifest = json.loads(manifest_path.read_text())
    found = {}
    for node in manifest.get("nodes", {}).values():
        if node.get("resource_type") == "model" and node.get("schema") in SERVED_SCHEMAS:
            found[(node["schema"], node.get("alias") or node["name"])] = {
                "description": node.get("description", ""),
                "columns": {
                    name: column.get("description", "")
                    for name, column in node.get("columns", {}).items()
                },
            }
    return found


@contextmanager
def serving_lock(serving_dir: Path) -> Iterator[None]:
    """One publish at a time per serving folder (a second one waits); freed on exit or
    when the process dies, so it never needs cleaning."""
    descriptor = os.open(serving_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)


def tables_of(connection: duckdb.DuckDBPyConnection, schemas: tuple[str, ...]) -> list[tuple]:
    listed = ", ".join(sql_string(schema) for schema in schemas)
    return connection.execute(
        "select schema_name, table_name from duckdb_tables() "
        f"where database_name = 'build' and schema_name in ({listed}) order by all"
    ).fetchall()


def parquet_path(table: str) -> str:
    """Where a table's Parquet file is, relative to its version folder."""
    schema, name = table.split(".", 1)
    return f"{serving.PARQUET}/{schema}/{name}.parquet"


def copy_tables(
    connection: duckdb.DuckDBPyConnection, tables: list[tuple], folder: Path | None
) -> dict[str, int]:
    """Copy build tables into the connection's database, sorted by all columns (key first),
    and into one Parquet file each under the version `folder` when given; return rows per
    table."""
    rows = {}
    for schema in sorted({schema for schema, _ in tables}):
        connection.execute(f"create schema if not exists {schema}")
    for index, (schema, table) in enumerate(tables):
        name = f'{schema}."{table}"'
        connection.execute(
            f'create table {name} as select * from build.{schema}."{table}" order by all'
        )
        [(rows[f"{schema}.{table}"],)] = connection.execute(
            f"select count(*) from {name}"
        ).fetchall()
        if folder is not None:
            parquet = folder / parquet_path(f"{schema}.{table}")
            parquet.parent.mkdir(parents=True, exist_ok=True)
            connection.execute(f"copy {name} to {sql_string(str(parquet))} (format parquet)")
        if index == len(tables) // 2:
            die_at("publish:writing")
    return rows


def add_comments(connection: duckdb.DuckDBPyConnection, docs: dict, tables: list[tuple]) -> None:
    for schema, table in tables:
        name = f'{schema}."{table}"'
        doc = docs.get((schema, table), {})
        if doc.get("description"):
            connection.execute(f"comment on table {name} is {sql_string(doc['description'])}")
        for column, text in doc.get("columns", {}).items():
            if text:
                connection.execute(f'comment on column {name}."{column}" is {sql_string(text)}')


def check_consistency(connection: duckdb.DuckDBPyConnection) -> None:
    """The critical checks that must hold before readers see a copy: every one-row-per-
    customer mart has each customer once and as many customers as the others of its group
    (the `counts` suite of `customer360 validate`, the same SQL)."""
    suite = counts_suite()
    found = connection.execute(suite.sql).fetchall()
    problems = [
        f"{table} has {rows:,} rows for {distinct:,} customers, expected {expected:,} ({group})"
        for table, group, rows, distinct, expected in found
        if not rows == distinct == expected
    ]
    if problems:
        raise UserError(
            "the build's marts disagree, nothing published (the last copy keeps serving): "
            + "; ".join(problems[:3])
            + "; run `dbt build` again, and report it if it persists"
        )


def write_version(
    build_file: Path, name: str, folder: Path, private_folder: Path, docs: dict, record: dict
) -> tuple[dict[str, int], dict]:
    """Write one complete version into `folder` (and its export copy into
    `private_folder`); return rows per table and the manifest."""
    folder.mkdir(parents=True)
    private_folder.mkdir(parents=True, mode=0o700)
    database = folder / serving.DATABASE
    connection = duckdb.connect(str(database))
    try:
        connection.execute(f"attach {sql_string(str(build_file))} as build (read_only)")
        tables = tables_of(connection, SERVED_SCHEMAS)
        if not tables:
            raise UserError(f"{build_file}: the build has no marts; run `dbt build` first")
        rows = copy_tables(connection, tables, folder)
        add_comments(connection, docs, tables)
        [(as_of,)] = connection.execute(
            "select as_of_date from build.intermediate.int_as_of_date"
        ).fetchall()
        connection.execute(
            "create table main.publish_info as select "
            f"cast({sql_string(str(as_of))} as date) as as_of_date, "
            f"{sql_string(record['build_id'])} as build_id, {sql_string(name)} as version, "
            f"{len(tables)} as tables, {sum(rows.values())} as total_rows"
        )
        check_consistency(connection)
        export_tables = tables_of(connection, PRIVATE_SCHEMAS)
        exports = duckdb.connect(str(private_folder / serving.EXPORTS_FILE))
        try:
            exports.execute(f"attach {sql_string(str(build_file))} as build (read_only)")
            copy_tables(exports, export_tables, None)
            exports.execute("detach build")
            exports.execute("checkpoint")
        finally:
            exports.close()
        connection.execute("detach build")
        connection.execute("checkpoint")
    finally:
        connection.close()
    os.chmod(database, 0o444)  # readers open it read-only; a read-write open fails loudly
    os.chmod(private_folder / serving.EXPORTS_FILE, 0o600)
    manifest = {
        "version": name,
        "build_id": record["build_id"],
        "as_of_date": str(as_of),
        "build_started_at": str(record.get("started_at")),
        "build_finished_at": str(record.get("finished_at")),
        "vars": json.loads(record.get("cli_vars") or "{}"),
        "landing": {
            "files": record.get("landing_files"),
            "bytes": record.get("landing_bytes"),
            "fingerprint": record.get("landing_fingerprint"),
        },
        "tables": {
            table: {"rows": count, "parquet": parquet_path(table)} for table, count in rows.items()
        },
    }
    (folder / serving.MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return rows, manifest


def replace_symlink(link: Path, target: str) -> None:
    """Point `link` at `target` in one rename (a reader sees the old or the new target)."""
    temporary = link.with_name(f".{link.name}.{os.getpid()}.tmp")
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(target)
    if link.is_dir() and not link.is_symlink():
        shutil.rmtree(link)  # a folder of the layout before versions
    os.replace(temporary, link)


def switch(serving_dir: Path, name: str) -> None:
    """Make versions/<name> current: mark the replaced one retired, rename the pointer."""
    pointer = serving_dir / serving.POINTER
    if pointer.is_symlink():
        old = (serving_dir / os.readlink(pointer)).resolve()
        if old.is_dir():
            (old / RETIRED_MARKER).touch()
    for entry in (pointer, *(serving_dir / link for link in STABLE_LINKS)):
        entry.with_name(f".{entry.name}.{os.getpid()}.tmp").unlink(missing_ok=True)
    replace_symlink(pointer, f"{serving.VERSIONS}/{name}")
    die_at("publish:after-switch")
    for link in STABLE_LINKS:  # made once; a serving folder of the layout before versions
        path, target = serving_dir / link, f"{serving.POINTER}/{link}"  # gets them here
        if not (path.is_symlink() and os.readlink(path) == target):
            replace_symlink(path, target)


def remove_leftovers(serving_dir: Path, grace_minutes: float) -> list[str]:
    """Remove what no reader can need: interrupted publishes' staging folders and
    temporary links, versions that never became current, versions replaced more than
    `grace_minutes` ago, export copies without their version, and the files of the layout
    before versions. Runs under the serving lock, so nothing here is being written."""
    removed = []
    versions = serving_dir / serving.VERSIONS
    pointer = serving_dir / serving.POINTER
    current = (serving_dir / os.readlink(pointer)).resolve() if pointer.is_symlink() else None
    deadline = time.time() - grace_minutes * 60
    private = serving.private_dir(serving_dir)
    kept = set()
    for folder in sorted(versions.iterdir()) if versions.is_dir() else []:
        marker = folder / RETIRED_MARKER
        if folder == current or (marker.is_file() and marker.stat().st_mtime > deadline):
            kept.add(folder.name)
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(str(folder))
    for folder in sorted(private.iterdir()) if private.is_dir() else []:
        if folder.name not in kept:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(str(folder))
    legacy = [
        *serving_dir.glob(".*.tmp"),
        *serving_dir.glob("parquet-*"),
        *serving_dir.glob(".customer360.duckdb.*"),
    ]
    for path in legacy:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        removed.append(str(path))
    return removed


def version_name(record: dict) -> str:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    return f"{stamp}-{record['build_id'][:8]}-{os.urandom(2).hex()}"


def publish(
    build_file: Path,
    serving_dir: Path,
    manifest_path: Path,
    grace_minutes: float = DEFAULT_GRACE_MINUTES,
) -> dict[str, int]:
    """Publish the build as a new version and make it current; return rows per table."""
    if not build_file.is_file():
        raise UserError(f"{build_file}: no build to publish; run `dbt build` first")
    serving_dir.mkdir(parents=True, exist_ok=True)
    private = serving.private_dir(serving_dir)
    private.mkdir(parents=True, exist_ok=True, mode=0o700)
    docs = descriptions(manifest_path)
    with build_state.hold_build_lock(build_file, "customer360 publish"), serving_lock(serving_dir):
        remove_leftovers(serving_dir, grace_minutes)
        try:
            with duckdb.connect(":memory:") as connection:
                connection.execute(f"attach {sql_string(str(build_file))} as build (read_only)")
                record = build_state.require_publishable(connection, "build", build_file)
        except duckdb.Error as error:
            raise UserError(f"{build_file}: cannot read the build file: {error}") from error
        name = version_name(record)
        staging = serving_dir / serving.VERSIONS / f"{STAGING_PREFIX}{name}"
        private_staging = private / f"{STAGING_PREFIX}{name}"
        try:
            rows, _ = write_version(build_file, name, staging, private_staging, docs, record)
            staging.rename(staging.with_name(name))
            private_staging.rename(private_staging.with_name(name))
            die_at("publish:before-switch")
            switch(serving_dir, name)
        except duckdb.Error as error:
            raise UserError(
                f"publishing {build_file} failed, the last copy still serves: {error}"
            ) from error
        finally:
            shutil.rmtree(staging, ignore_errors=True)
            shutil.rmtree(private_staging, ignore_errors=True)
        remove_leftovers(serving_dir, grace_minutes)
    return rows


def main(args: argparse.Namespace) -> int:
    build_file = Path(args.build_file) if args.build_file else default_build_file()
    serving_dir = Path(args.serving_dir) if args.serving_dir else serving.default_serving_dir()
    manifest = Path(args.manifest) if args.manifest else project_dir() / "target/manifest.json"
    grace = args.grace_minutes if args.grace_minutes is not None else default_grace_minutes()
    print(f"publishing {build_file} ...", file=sys.stderr, flush=True)
    rows = publish(build_file, serving_dir, manifest, grace)
    version = serving.current(serving_dir)
    print(f"published {len(rows)} tables, {sum(rows.values()):,} rows as version {version.name}")
    print(f"serving copy: {serving_dir / serving.DATABASE} (schemas marts, ml)")
    print(f"parquet:      {serving_dir / serving.PARQUET}")
    return 0
