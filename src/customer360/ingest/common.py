"""What every step of ingest shares: the loaded file, the report it fills in, and the
quoting of SQL names and text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

# The --entity of a flat file of purchases or lines: not a contract entity, it lands as
# orders + order_items.
TRANSACTIONS = "transactions"


def normalise(name: str) -> str:
    """A column name compared without case and punctuation: `Customer-ID` -> customerid."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def quote(identifier: str) -> str:
    """A SQL identifier."""
    return '"' + identifier.replace('"', '""') + '"'


def literal(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def first_line(error: BaseException) -> str:
    """The first line of an exception's message: DuckDB's can run to many."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


@dataclass
class Source:
    """The user's file as the DuckDB view `source`: text columns plus `_source_row`."""

    path: Path
    kind: str
    columns: list[str]
    rows: int
    details: str = ""
    header: bool = True


@dataclass
class Report:
    """What ingest found and predicted; `counts` is {entity: {outcome: rows}}, where an
    outcome is 'staged', 'duplicate' (an exact copy, dropped) or a reject reason."""

    mapping: dict[str, str]
    ignored: list[str]
    date_formats: dict[str, str] = field(default_factory=dict)
    number_formats: dict[str, str] = field(default_factory=dict)
    date_spans: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    written: list[Path] = field(default_factory=list)
