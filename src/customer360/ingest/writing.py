"""Landing the outputs as Parquet in one transaction (customer360.landing_commit)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import duckdb

from customer360 import contract, landing_commit
from customer360.errors import UserError
from customer360.ingest.common import first_line, literal
from customer360.ingest.outputs import Output

# The Parquet metadata key naming the kind of ingest (`--entity`) that wrote a landed file.
INGEST_KEY = "c360_ingest"


def write(
    connection: duckdb.DuckDBPyConnection,
    outputs: list[Output],
    landing: Path,
    stem: str,
    kind: str,
) -> tuple[list[Path], list[Path]]:
    """Land every output as `<entity>/<stem>.parquet` in one transaction (see
    customer360.landing_commit): readers see all the new files or none of them. Each file
    records the ingest's kind (`--entity`) in its Parquet metadata, so a later ingest of
    the same kind and stem also removes a file it no longer writes (products, when the
    new version has no category). Returns the files landed and the files removed. On an
    error nothing landed changes."""
    entities = [output.entity.name for output in outputs]
    metadata = f"kv_metadata {{{INGEST_KEY}: {literal(kind)}}}"

    def copy(index: int, path: Path) -> None:
        connection.execute(
            f"copy (select * from output_{index} order by _source_row) "
            f"to {literal(str(path))} (format parquet, {metadata})"
        )

    folder = None
    try:
        with landing_commit.locked(landing):
            recover(landing)
            staged = folder = landing_commit.stage(landing, stem, entities, copy)
            removes = replaced_files(connection, landing, stem, kind, entities)
            landing_commit.commit(staged, stem, entities, removes)
            folder = None  # committed: from here on it only rolls forward
            written = landing_commit.apply(staged)
            return written, [landing / entity / f"{stem}.parquet" for entity in removes]
    except (duckdb.Error, OSError) as error:
        raise UserError(f"cannot write to {landing}: {first_line(error)}") from error
    finally:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


def recover(landing: Path) -> None:
    """Finish or undo what killed ingests left (customer360.landing_commit), saying what;
    the caller holds the landing zone's lock."""
    for line in landing_commit.recover(landing):
        print(f"recovered: {line}", file=sys.stderr, flush=True)


def replaced_files(
    connection: duckdb.DuckDBPyConnection, landing: Path, stem: str, kind: str, writes: list[str]
) -> list[str]:
    """The entities whose `<stem>.parquet` an earlier ingest of this kind wrote and this
    one does not: the new version replaces them with nothing."""
    removes = []
    for entity in contract.load():
        path = landing / entity / f"{stem}.parquet"
        if entity in writes or not path.is_file():
            continue
        written_by = connection.execute(
            f"select decode(value) from parquet_kv_metadata({literal(str(path))}) "
            f"where decode(key) = {literal(INGEST_KEY)}"
        ).fetchall()
        if written_by == [(kind,)]:
            removes.append(entity)
    return removes
