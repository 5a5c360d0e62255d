"""The staging row rules, rendered from the dbt macros that define them.

`macros/staging/validate_landing.sql` is the one definition of how a landed value is
cleaned and typed and which row rule it breaks first (missing_key,
missing_required:<column>, unparseable:<column>, out_of_range:<column>). dbt renders
those macros for the base models; ingest's validation report and the landing suites of
`customer360 validate` render the same macros here, with plain Jinja (no dbt start-up:
a few milliseconds), from the same contract (models/staging/_sources.yml). A new rule is
one edit in the macro.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache
from types import SimpleNamespace
from typing import Any

import jinja2

from customer360.contract import Column, Entity
from customer360.project import project_dir

MACRO_FILES = ("macros/staging/validate_landing.sql", "macros/landing/create_landing_views.sql")


@cache
def _macros() -> Any:
    """The macro files as one Jinja module; only macros that need no dbt context are
    called (the rest reference `ref`, `run_query`, … and are never invoked here)."""
    environment = jinja2.Environment(extensions=["jinja2.ext.do"], autoescape=False)
    environment.globals["adapter"] = SimpleNamespace(quote=lambda name: f'"{name}"')
    text = "\n".join((project_dir() / path).read_text(encoding="utf-8") for path in MACRO_FILES)
    return environment.from_string(text).module


def _sql(rendered: object) -> str:
    return str(rendered).strip()


def cleaned_value(column: Column, landed_type: str = "varchar") -> str:
    """Staging's cleaning of the landed column (macro landing_cleaned_value): trimmed
    text, blank as null, lower-cased where the contract says so."""
    return _sql(_macros().landing_cleaned_value(column, landed_type.lower()))


def typed_value(
    column: Column, grain: tuple[str, ...] = (), landed_type: str = "varchar", defaults: bool = True
) -> str:
    """Staging's typed value of `<column>__raw` (macro landing_typed_value): the cast,
    or without `defaults` the cast alone (the column's default left out)."""
    if not defaults and "default" in column.meta:
        column = replace(column, meta={k: v for k, v in column.meta.items() if k != "default"})
    return _sql(_macros().landing_typed_value(column, list(grain), landed_type.lower()))


def row_rules(entity: Entity) -> str:
    """The first row rule a typed row breaks, as a `case` expression over `<column>__raw`
    and the typed columns (macro landing_row_rules); null when none."""
    return _sql(_macros().landing_row_rules(list(entity.columns), list(entity.grain)))


def range_condition(column: Column) -> str:
    """When a typed value breaks the column's value set or range (macro
    landing_range_condition); empty when the column has neither."""
    return _sql(_macros().landing_range_condition(column))
