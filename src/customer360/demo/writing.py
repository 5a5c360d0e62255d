"""Writing the demo's part files with exactly the contract's columns and types, and
moving them into the landing zone."""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from customer360 import contract


def arrow_type(data_type: str) -> pa.DataType:
    """The Arrow type the demo writes for a contract data_type."""
    base = data_type.split("(")[0].strip().lower()
    if base == "decimal":
        precision, scale = (int(part) for part in data_type.split("(")[1].rstrip(")").split(","))
        return pa.decimal128(precision, scale)
    return {
        "varchar": pa.string(),
        "integer": pa.int32(),
        "bigint": pa.int64(),
        "double": pa.float64(),
        "date": pa.date32(),
        "timestamp": pa.timestamp("us"),
        "boolean": pa.bool_(),
    }[base]


def contract_schema(entity: str) -> pa.Schema:
    """The Arrow schema the demo writes for one landing entity."""
    columns = contract.load()[entity].columns
    return pa.schema([(column.name, arrow_type(column.data_type)) for column in columns])


class Writer:
    """Writes part files with exactly the contract's columns and types under `root`."""

    def __init__(self, root: Path, entities: dict[str, contract.Entity]) -> None:
        self.root = root
        self.schemas = {
            name: pa.schema([(c.name, arrow_type(c.data_type)) for c in entity.columns])
            for name, entity in entities.items()
        }
        self.rows = dict.fromkeys(entities, 0)
        self.written: set[str] = set()

    def write(self, entity: str, table: pa.Table, part: int) -> None:
        schema = self.schemas[entity]
        if table.column_names != schema.names:
            raise RuntimeError(f"demo {entity}: columns {table.column_names} != {schema.names}")
        folder = self.root / entity
        folder.mkdir(parents=True, exist_ok=True)
        pq.write_table(table.cast(schema), folder / f"part-{part:05d}.parquet")
        self.rows[entity] += table.num_rows
        self.written.add(entity)


def swap_in(staging: Path, landing: Path, entities: list[str]) -> None:
    """Move the new entity folders into the landing zone (renames, no copying); the old
    ones go to a trash folder inside `staging`, or back if the new one cannot move in."""
    landing.mkdir(parents=True, exist_ok=True)
    trash = staging / ".replaced"
    trash.mkdir()
    for entity in entities:
        target = landing / entity
        replaced = target.exists() or target.is_symlink()
        if replaced:
            os.replace(target, trash / entity)
        try:
            os.replace(staging / entity, target)
        except OSError:
            if replaced:
                os.replace(trash / entity, target)
            raise
