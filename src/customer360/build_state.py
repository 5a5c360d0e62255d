"""Who holds the build file, and whether its last build may be published.

**The build lock.** Every dbt run takes an exclusive `flock` on `<build file>.lock` when it
opens the build file (the dbt-duckdb plugin customer360.dbt_plugin), and so does
`customer360 publish` while it reads the build. A second run finds the lock taken and
stops with one line naming the holder (command, pid, since when) and what to do. The
kernel releases the lock when its process ends, killed or not, so a crash never leaves a
stale lock; the file itself stays and only says who held it last.

**The build record.** Every dbt run that changes tables records itself in
`ops.build_runs` (macros/ops/build_record.sql): inserted unfinished when it starts,
completed with its outcome when it ends. `require_publishable` reads the last row:
publish serves only a complete (whole project), successful `dbt build` that finished.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from customer360.errors import UserError

LOCK_SUFFIX = ".lock"
RECORD_TABLE = "ops.build_runs"
_HELD: dict[Path, int] = {}  # lock file -> descriptor, for the locks this process holds


class BuildInUse(UserError):
    """Another process holds the build lock."""


def lock_path(build_file: Path) -> Path:
    return build_file.with_name(build_file.name + LOCK_SUFFIX)


def current_command() -> str:
    """This process's command as a user typed it: `dbt build`, `customer360 publish`."""
    program = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "python"
    words = [word for word in sys.argv[1:] if not word.startswith("-")][:1]
    return " ".join([program, *words])


def build_lock_holder(build_file: Path) -> dict | None:
    """What the lock file says about its last holder (command, pid, since), if anything."""
    try:
        return json.loads(lock_path(build_file).read_text())
    except (OSError, ValueError):
        return None


def in_use_message(build_file: Path, holder: dict | None) -> str:
    if not holder:
        return f"{build_file} is in use by another process; wait for it to finish and run again"
    pid = holder.get("pid")
    return (
        f"{build_file} is in use by `{holder.get('command')}` (pid {pid}, since "
        f"{holder.get('since')}); wait for it to finish, or stop it (kill {pid}), "
        "and run again"
    )


def acquire_build_lock(build_file: Path, command: str | None = None) -> bool:
    """Take the build lock for this process until it ends (or `release_build_lock`).
    Returns False when this process already held it; raises BuildInUse when another does."""
    path = lock_path(Path(build_file)).resolve()
    if path in _HELD:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(descriptor)
        message = in_use_message(Path(build_file), build_lock_holder(Path(build_file)))
        raise BuildInUse(message) from None
    holder = {
        "command": command or current_command(),
        "pid": os.getpid(),
        "since": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
    }
    os.ftruncate(descriptor, 0)
    os.pwrite(descriptor, json.dumps(holder).encode(), 0)
    _HELD[path] = descriptor
    return True


def release_build_lock(build_file: Path) -> None:
    descriptor = _HELD.pop(lock_path(Path(build_file)).resolve(), None)
    if descriptor is not None:
        os.close(descriptor)  # closing releases the lock


@contextmanager
def hold_build_lock(build_file: Path, command: str | None = None) -> Iterator[None]:
    """The build lock for the duration of the block (kept if this process held it before)."""
    acquired = acquire_build_lock(build_file, command)
    try:
        yield
    finally:
        if acquired:
            release_build_lock(build_file)


def last_build(connection: duckdb.DuckDBPyConnection, database: str) -> dict | None:
    """The last recorded dbt run of the attached build file, as a dict; None if none."""
    exists = connection.execute(
        "select count(*) from duckdb_tables() "
        "where database_name = ? and schema_name = 'ops' and table_name = 'build_runs'",
        [database],
    ).fetchall()[0][0]
    if not exists:
        return None
    cursor = connection.execute(
        f"select * from {database}.{RECORD_TABLE} order by run_sequence desc limit 1"
    )
    rows = cursor.fetchall()
    if not rows:
        return None
    return dict(zip([column[0] for column in cursor.description], rows[0], strict=True))


def require_publishable(
    connection: duckdb.DuckDBPyConnection, database: str, build_file: Path
) -> dict:
    """The record of the last run if it is a complete, successful, finished `dbt build`;
    otherwise a UserError that says in one line what happened and what to do."""
    record = last_build(connection, database)
    keep = "the serving copy keeps the last good build"
    if record is None:
        raise UserError(
            f"{build_file}: no build record (not built by `dbt build` of this project); "
            f"run `dbt build` first; {keep}"
        )
    run = (
        f"the last dbt run (`dbt {record['command']}`, id {record['build_id'][:8]}, "
        f"started {record['started_at']:%Y-%m-%d %H:%M:%S} UTC)"
    )
    if record["finished_at"] is None:
        raise UserError(
            f"{build_file}: {run} did not finish (killed or stopped); run `dbt build` again; {keep}"
        )
    if record["command"] != "build" or record["selection"] is not None:
        selection = f" {record['selection']}" if record["selection"] else ""
        raise UserError(
            f"{build_file}: {run}{selection} did not run every model; publish needs a "
            f"complete `dbt build`; {keep}"
        )
    if record["status"] != "success":
        raise UserError(
            f"{build_file}: {run} failed ({record['nodes_failed']} errors, "
            f"{record['nodes_skipped']} skipped); fix them and run `dbt build`; {keep}"
        )
    return record
