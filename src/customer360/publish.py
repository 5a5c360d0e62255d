"""`customer360 publish`: copy the marts BI reads out of the private build file into a
serving copy, and swap it in atomically.

dbt builds into a private DuckDB file that no reader opens (DuckDB allows one writer, and
a reader holding the file would block the build). After a successful build, publish
writes a new serving file — the `marts` and `ml` schemas, with the dbt descriptions as
table and column comments, and a `publish_info` table saying which build it is — plus a
Parquet file per table, then renames both into place. A reader that connects afterwards
sees the new build; one that keeps a connection open keeps seeing the old copy until it
reconnects. A failed build is never published, so the last good copy keeps serving.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

import duckdb

from customer360.errors import UserError
from customer360.project import project_dir

SERVED_SCHEMAS = ("marts", "ml")


def default_build_file() -> Path:
    path = Path(os.environ.get("C360_DB_PATH", "warehouse/customer360.duckdb"))
    return path if path.is_absolute() else project_dir() / path


def default_serving_dir() -> Path:
    path = Path(os.environ.get("C360_SERVING_DIR", "warehouse/serving"))
    return path if path.is_absolute() else project_dir() / path


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


def publish(build_file: Path, serving_dir: Path, manifest_path: Path) -> dict[str, int]:
    """Write and swap in the serving copy; return the rows published per table."""
    if not build_file.is_file():
        raise UserError(f"{build_file}: no build to publish; run `dbt build` first")
    serving_dir.mkdir(parents=True, exist_ok=True)
    serving_file = serving_dir / "customer360.duckdb"
    parquet_dir = serving_dir / "parquet"
    temp_file = serving_dir / f".customer360.duckdb.{os.getpid()}.tmp"
    temp_parquet = serving_dir / f".parquet.{os.getpid()}.tmp"
    for leftover in (temp_file, Path(f"{temp_file}.wal")):
        leftover.unlink(missing_ok=True)
    shutil.rmtree(temp_parquet, ignore_errors=True)
    docs = descriptions(manifest_path)
    rows: dict[str, int] = {}
    try:
        connection = duckdb.connect(str(temp_file))
        connection.execute(f"attach {sql_string(str(build_file))} as build (read_only)")
        tables = connection.execute(
            "select schema_name, table_name from duckdb_tables() "
            f"where database_name = 'build' and schema_name in {SERVED_SCHEMAS} order by all"
        ).fetchall()
        if not tables:
            raise UserError(f"{build_file}: the build has no marts; run `dbt build` first")
        for schema in SERVED_SCHEMAS:
            connection.execute(f"create schema if not exists {schema}")
        for schema, table in tables:
            name = f'{schema}."{table}"'
            connection.execute(f'create table {name} as select * from build.{schema}."{table}"')
            rows[f"{schema}.{table}"] = connection.execute(
                f"select count(*) from {name}"
            ).fetchall()[0][0]
            doc = docs.get((schema, table), {})
            if doc.get("description"):
                connection.execute(f"comment on table {name} is {sql_string(doc['description'])}")
            for column, text in doc.get("columns", {}).items():
                if text:
                    connection.execute(f'comment on column {name}."{column}" is {sql_string(text)}')
            (temp_parquet / schema).mkdir(parents=True, exist_ok=True)
            connection.execute(
                f"copy {name} to {sql_string(str(temp_parquet / schema / f'{table}.parquet'))} "
                "(format parquet)"
            )
        [(as_of,)] = connection.execute(
            "select as_of_date from build.intermediate.int_as_of_date"
        ).fetchall()
        connection.execute(
            "create table main.publish_info as select "
            f"cast({sql_string(str(as_of))} as date) as as_of_date, "
            f"{len(tables)} as tables, {sum(rows.values())} as total_rows"
        )
        connection.execute("detach build")
        connection.execute("checkpoint")
        connection.close()
        # the swap: a rename for the database; for the Parquet files, a new folder and a
        # rename of the `parquet` symlink onto it (both atomic on POSIX file systems)
        os.replace(temp_file, serving_file)
        version = f"parquet-{as_of}-{os.getpid()}-{os.urandom(4).hex()}"
        temp_parquet.rename(serving_dir / version)
        link = serving_dir / f".parquet-link.{os.getpid()}.tmp"
        link.unlink(missing_ok=True)
        link.symlink_to(version, target_is_directory=True)
        if parquet_dir.exists() and not parquet_dir.is_symlink():
            shutil.rmtree(parquet_dir)  # a folder left by hand: replaced by the link
        os.replace(link, parquet_dir)
        for old in serving_dir.glob("parquet-*"):
            if old.name != version:
                shutil.rmtree(old, ignore_errors=True)
    except duckdb.Error as error:
        raise UserError(
            f"publishing {build_file} failed, the last copy still serves: {error}"
        ) from error
    finally:
        temp_file.unlink(missing_ok=True)
        Path(f"{temp_file}.wal").unlink(missing_ok=True)
        shutil.rmtree(temp_parquet, ignore_errors=True)
    return rows


def main(args: argparse.Namespace) -> int:
    build_file = Path(args.build_file) if args.build_file else default_build_file()
    serving_dir = Path(args.serving_dir) if args.serving_dir else default_serving_dir()
    manifest = Path(args.manifest) if args.manifest else project_dir() / "target/manifest.json"
    print(f"publishing {build_file} ...", file=sys.stderr, flush=True)
    rows = publish(build_file, serving_dir, manifest)
    print(f"published {len(rows)} tables, {sum(rows.values()):,} rows")
    print(f"serving copy: {serving_dir / 'customer360.duckdb'} (schemas marts, ml)")
    print(f"parquet:      {serving_dir / 'parquet'}")
    return 0
