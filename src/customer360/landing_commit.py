"""Land the files of one ingest all together or not at all, even when the process dies.

An ingest of `<stem>` writes one file per entity (a transaction file: orders, order_items
and often products). Renaming them one by one would let a reader see orders without
their lines after a crash, so the files go through a small transaction:

1. stage: every file is written to `<landing>/.ingest-<stem>-<pid>/<entity>.parquet`, a
   folder the landing views never read (they read `<landing>/<entity>/*`);
2. commit: `commit.json` (the stem, the entities to move into place and the entities
   whose `<stem>.parquet` to remove) is written beside them and renamed into place, the
   one atomic step: before it the old state holds, after it the new one does;
3. apply: the staged files are renamed to `<landing>/<entity>/<stem>.parquet`, the
   removed ones deleted, and the staging folder deleted last.

`recover` runs before every ingest writes and before every dbt run (the dbt-duckdb
plugin `customer360.dbt_plugin`, configured in profiles.yml): it finishes a committed
transaction (roll forward, each step idempotent) and deletes an uncommitted staging folder
and the `.<stem>.parquet.tmp` files of older versions (roll back). So whenever a process
is killed, the next ingest or build starts from the old or the complete new state.
Writers and `recover` hold an exclusive `flock` on the landing folder, so a staging folder
without a marker seen under the lock belongs to a dead process, never to a running one.

Test hook: with `C360_FAULT=ingest:<point>` in the environment the process exits at once
(`os._exit(9)`, no cleanup, as if killed) at that point: `writing` (one file staged, the
others not), `after-commit` (marker in place, nothing moved) or `after-move-<n>` (the
first n files moved).
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from customer360.errors import die_at

STAGING_PREFIX = ".ingest-"
MARKER = "commit.json"


def fault(point: str) -> None:
    """The test hook: die here, without cleanup, when C360_FAULT is `ingest:<point>`."""
    die_at(f"ingest:{point}")


@contextmanager
def locked(landing: Path) -> Iterator[None]:
    """An exclusive lock on the landing folder, released on exit or when the process
    dies (no lock file to leave behind)."""
    landing.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(landing, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock


def recover(landing: Path) -> list[str]:
    """Finish or undo what killed ingests left; the caller holds the lock. Returns one
    line per transaction rolled forward or back."""
    done = []
    for folder in sorted(landing.glob(f"{STAGING_PREFIX}*")):
        if (folder / MARKER).is_file():
            apply(folder)
            done.append(f"finished the committed ingest in {folder.name}")
        else:
            shutil.rmtree(folder)
            done.append(f"removed the uncommitted ingest in {folder.name}")
    for temp in sorted(landing.glob("*/.*.parquet.tmp")):  # left by versions before this one
        temp.unlink()
        done.append(f"removed {temp.parent.name}/{temp.name}")
    return done


def stage(
    landing: Path, stem: str, entities: list[str], write: Callable[[int, Path], None]
) -> Path:
    """A new staging folder holding `write(index, path)`'s file for each entity, flushed
    to disk but not committed."""
    folder = landing / f"{STAGING_PREFIX}{stem}-{os.getpid()}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for index, entity in enumerate(entities):
        path = folder / f"{entity}.parquet"
        write(index, path)
        sync(path)
        if index == 0:
            fault("writing")
    return folder


def commit(folder: Path, stem: str, moves: list[str], removes: list[str]) -> None:
    """Write the marker that makes the staged files the landing zone's new state."""
    sync(folder)
    marker = {"stem": stem, "move": moves, "remove": removes}
    temp = folder / f"{MARKER}.tmp"
    temp.write_text(json.dumps(marker, indent=2), encoding="utf-8")
    sync(temp)
    os.replace(temp, folder / MARKER)
    sync(folder)
    fault("after-commit")


def apply(folder: Path) -> list[Path]:
    """Move a committed transaction's files into place and delete what it removes;
    safe to repeat after a crash at any step. Returns the landed files."""
    landing = folder.parent
    marker = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    stem = marker["stem"]
    landed = []
    for count, entity in enumerate(marker["move"], start=1):
        staged, final = folder / f"{entity}.parquet", landing / entity / f"{stem}.parquet"
        if staged.exists():  # else moved before a crash
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged, final)
            fault(f"after-move-{count}")
        landed.append(final)
    for entity in marker["remove"]:
        (landing / entity / f"{stem}.parquet").unlink(missing_ok=True)
    for folder_ in {path.parent for path in landed}:
        sync(folder_)
    (folder / MARKER).unlink()
    shutil.rmtree(folder)
    return landed


def sync(path: Path) -> None:
    """Flush a file or a folder (its entries) to disk, so a commit survives a power cut."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
