"""Checks and suites, the severities and advice they carry, and the builders the suites
are written with."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

CRITICAL = "critical"
WARNING = "warning"

REBUILD = "rebuild and republish (`make run`); if it persists, the model is wrong: fix it"
FIX_LANDING = "fix the landed file (or re-ingest it with `customer360 ingest ... --map`)"
STAGING_REJECTS = (
    "staging rejects these rows into marts.rejected_rows; fix the source file to keep them"
)


@dataclass(frozen=True)
class Check:
    """One expectation: a Great Expectations class name and its arguments."""

    name: str
    expectation: str
    kwargs: dict[str, Any]
    severity: str = CRITICAL
    column: str | None = None
    notes: str = ""
    advice: str = REBUILD
    # on a column the contract marks pii: the marker shown instead of failing values
    # (the runner keeps counts only; GX returns no values)
    personal: str | None = None

    @property
    def column_name(self) -> str | None:
        return self.column or self.kwargs.get("column") or self.kwargs.get("column_A")


@dataclass(frozen=True)
class Suite:
    """A frame (a query) and the checks run on it."""

    suite: str
    table: str
    source: str  # "landing" or "serving"
    sql: str
    checks: tuple[Check, ...]
    key: str | None = None  # column naming a row in failure samples
    notes: str = ""
    tables: tuple[str, ...] = field(default_factory=tuple)  # serving tables it reads

    @property
    def gx_name(self) -> str:
        return f"{self.suite}.{self.table}"


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def between(
    name: str,
    frame_column: str,
    low: Any = None,
    high: Any = None,
    *,
    strict_low: bool = False,
    strict_high: bool = False,
    **extra: Any,
) -> Check:
    """ExpectColumnValuesToBeBetween; extra: Check fields, and `kwargs` for more GX args."""
    kwargs: dict[str, Any] = {"column": frame_column}
    if low is not None:
        kwargs.update(min_value=low, strict_min=strict_low)
    if high is not None:
        kwargs.update(max_value=high, strict_max=strict_high)
    kwargs.update(extra.pop("kwargs", {}))
    return Check(name, "ExpectColumnValuesToBeBetween", kwargs, **extra)


def where(column: str, value: Any) -> dict[str, Any]:
    """A row condition: check only the rows where column == value (the runner turns it
    into a GX Condition object)."""
    return {"row_condition": {"column": column, "equals": value}}


def in_set(name: str, column: str, values, **extra) -> Check:
    return Check(
        name, "ExpectColumnValuesToBeInSet", {"column": column, "value_set": list(values)}, **extra
    )


def not_null(name: str, column: str, **extra) -> Check:
    return Check(name, "ExpectColumnValuesToNotBeNull", {"column": column}, **extra)


def equal(name: str, column_a: str, column_b: str, **extra) -> Check:
    return Check(
        name,
        "ExpectColumnPairValuesToBeEqual",
        {"column_A": column_a, "column_B": column_b},
        **extra,
    )
