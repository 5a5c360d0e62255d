"""The landing-zone contract, read from the dbt sources file that defines it.

`models/staging/_sources.yml` is the single source of truth for entity names, columns,
types and the rules a row must meet. dbt's staging macros turn it into SQL; the ingest
command's validation report and the landing suites render those same macros
(customer360.staging_rules).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from customer360.project import project_dir

SOURCES_FILE = Path("models/staging/_sources.yml")


def personal_marker(entity: str) -> str:
    """What stands for a landed personal (`pii`) value wherever BI may read it, naming the
    private table that keeps the values: the marker of marts.rejected_rows (macro
    landing_raw_json_without_pii in macros/staging/validate_landing.sql)."""
    return f"(personal, see staging.base_{entity})"


@dataclass(frozen=True)
class Column:
    name: str
    data_type: str
    description: str = ""
    required: bool = False
    required_in_file: bool = False
    default: str | None = None
    accepted_values: tuple[str, ...] | None = None
    lowercase: bool = False
    min_value: float | None = None
    min_exclusive: bool = False
    max_value: float | None = None
    signed_return: bool = False
    pii: bool = False
    # the column's raw `meta`, as the staging macros read it (customer360.staging_rules)
    meta: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def kind(self) -> str:
        """'text', 'integer', 'decimal', 'date' or 'timestamp'."""
        base = self.data_type.split("(")[0].lower()
        return {"varchar": "text", "decimal": "decimal", "double": "decimal"}.get(base, base)


@dataclass(frozen=True)
class Entity:
    name: str
    description: str
    columns: tuple[Column, ...]
    grain: tuple[str, ...]
    required_entity: bool = False
    references: dict[str, str] = field(default_factory=dict)

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]

    def column(self, name: str) -> Column:
        return next(column for column in self.columns if column.name == name)

    @property
    def required_columns(self) -> list[str]:
        return [column.name for column in self.columns if column.required]

    def must_map(self, column: Column) -> bool:
        """Whether a file for the entity must have the column: required and with no
        default. A key part that is not required (e-mail campaign_id) may be absent."""
        return column.required and column.default is None


def _column(raw: dict) -> Column:
    meta = raw.get("meta") or {}
    values = meta.get("accepted_values")
    return Column(
        name=raw["name"],
        data_type=raw["data_type"],
        description=raw.get("description", ""),
        required=bool(meta.get("required", False)),
        required_in_file=bool(meta.get("required_in_file", False)),
        default=None if meta.get("default") is None else str(meta["default"]),
        accepted_values=tuple(values) if values else None,
        lowercase=bool(meta.get("lowercase", False) or values),
        min_value=meta.get("min_value"),
        min_exclusive=bool(meta.get("min_exclusive", False)),
        max_value=meta.get("max_value"),
        signed_return=bool(meta.get("signed_return", False)),
        pii=bool(meta.get("pii", False)),
        meta=dict(meta),
    )


@cache
def load(path: Path | None = None) -> dict[str, Entity]:
    """Every landing entity of the contract, by name, in the order the file lists them."""
    path = path or project_dir() / SOURCES_FILE
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    source = next(s for s in document["sources"] if s["name"] == "landing")
    entities = {}
    for table in source["tables"]:
        meta = table.get("meta") or {}
        entities[table["name"]] = Entity(
            name=table["name"],
            description=" ".join(str(table.get("description", "")).split()),
            columns=tuple(_column(column) for column in table["columns"]),
            grain=tuple(meta.get("grain", [])),
            required_entity=bool(meta.get("required_entity", False)),
            references=dict(meta.get("references") or {}),
        )
    return entities
