"""The serving copy as readers find it: one pointer, versioned folders, stable paths.

`customer360 publish` writes every publish into its own folder and then switches one
symbolic link, `current`, onto it (a rename: atomic on POSIX file systems):

    <serving dir>/
      current -> versions/<version>      the one pointer; switched atomically
      customer360.duckdb -> current/customer360.duckdb    stable paths that BI tools
      parquet -> current/parquet                           and notebooks open; they
      manifest.json -> current/manifest.json               never change themselves
      versions/<version>/                one publish: the DuckDB file (read-only), the
        customer360.duckdb               Parquet files and manifest.json (build id,
        parquet/<schema>/<table>.parquet as-of date, vars, landing data, tables)
        manifest.json

A reader that opens a stable path resolves the pointer once, when it opens, and keeps
that version: a DuckDB connection stays on the file it opened, and the folder of a
replaced version stays for the grace period (`publish --grace-minutes`), so a reader
that resolved it keeps working. Readers that must see one version across several opens
(a Parquet scan of many files, a validation run) resolve it once with `current()` and use
its paths. See the README's "Reading the serving copy" for BI tools, pools and notebooks.

The contact list for `customer360 export` is personal data, so it is not in the serving
folder that BI reads: publish writes it to the private folder next to it
(`private_dir()`), one file per version.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

from customer360.errors import UserError
from customer360.project import project_path, setting_path

DATABASE = "customer360.duckdb"
PARQUET = "parquet"
MANIFEST = "manifest.json"
POINTER = "current"
VERSIONS = "versions"
EXPORTS_FILE = "export_copy.duckdb"  # not exports.duckdb: its catalog would shadow the schema


def default_serving_dir() -> Path:
    return setting_path("C360_SERVING_DIR")


def private_dir(serving_dir: Path) -> Path:
    """Where publish puts the export copy: $C360_PRIVATE_DIR, else `private/` beside the
    serving folder (so a share of the serving folder never carries contact details)."""
    if os.environ.get("C360_PRIVATE_DIR"):
        return project_path(os.environ["C360_PRIVATE_DIR"])
    return serving_dir.resolve().parent / "private"


@dataclass(frozen=True)
class Version:
    """One published version, its paths resolved: they stay valid for the grace period
    even after a newer publish."""

    name: str
    folder: Path
    manifest: dict

    @property
    def database(self) -> Path:
        return self.folder / DATABASE

    @property
    def parquet(self) -> Path:
        return self.folder / PARQUET

    def exports_file(self, serving_dir: Path) -> Path:
        return private_dir(serving_dir) / self.name / EXPORTS_FILE


def current(serving_dir: Path) -> Version:
    """The version the pointer names now, resolved once."""
    pointer = serving_dir / POINTER
    if not pointer.is_symlink():
        if (serving_dir / DATABASE).is_file():  # made by hand, or before versions existed
            return Version(serving_dir.name, serving_dir.resolve(), {})
        raise UserError(
            f"{serving_dir}: no serving copy yet; run `make run` or `customer360 publish`"
        )
    folder = (serving_dir / os.readlink(pointer)).resolve()
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError) as error:
        raise UserError(
            f"{folder}: the published version is unreadable ({error}); run `customer360 publish`"
        ) from error
    return Version(folder.name, folder, manifest)


def connect(serving_dir: Path | None = None) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the current version: what a pool's `creator` calls, so
    every new connection of the pool sees the latest publish."""
    version = current(serving_dir or default_serving_dir())
    return duckdb.connect(str(version.database), read_only=True)


def current_name(serving_dir: Path) -> str | None:
    """The current version's name, read from the pointer alone (cheap enough for every
    pool checkout); None without a versioned serving copy."""
    pointer = serving_dir / POINTER
    return Path(os.readlink(pointer)).name if pointer.is_symlink() else None


def follow_publishes(engine, serving_dir: Path | None = None) -> None:
    """Make a SQLAlchemy pool of the serving copy follow publishes: a pooled connection
    still on a replaced version is reopened when it is next checked out, so every checkout
    after a publish reads the new version; a connection in use keeps its version until it
    is returned. (Without this, set `pool_recycle` below the grace period.)"""
    from sqlalchemy import event, exc

    folder = serving_dir or default_serving_dir()

    @event.listens_for(engine, "connect")
    def remember_version(dbapi_connection, record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("select version from main.publish_info")
        record.info["customer360_version"] = cursor.fetchall()[0][0]
        cursor.close()

    @event.listens_for(engine, "checkout")
    def reopen_if_replaced(dbapi_connection, record, proxy) -> None:
        if record.info.get("customer360_version") != current_name(folder):
            raise exc.DisconnectionError("a newer serving version was published")
