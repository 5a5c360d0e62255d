"""The staging rules are written once: ingest's report and the landing suites render
staging's own macros (customer360.staging_rules). What is still restated in Python —
the key and reference rules of ingest's report — must name every reason code the macro
can give, so a key rule added to the macro alone fails here."""

from __future__ import annotations

import re

import duckdb

from customer360 import contract
from customer360 import staging_rules as rules
from customer360.ingest.validation import validation_sql
from customer360.project import project_dir

MACRO = project_dir() / "macros/staging/validate_landing.sql"


def key_rule_reasons() -> set[str]:
    """Reason codes of the macro's key and reference rules: the literals of its
    `outcomes` step and of landing_reference_failure."""
    text = MACRO.read_text(encoding="utf-8")
    outcomes = text[text.index("outcomes as (") : text.index("final as (")]
    start = text.index("{% macro landing_reference_failure")
    reference = text[start : text.index("{%- endmacro %}", start)]
    found = set(re.findall(r"(?:then |^\s+)'([a-z_]+)'", outcomes + reference, re.M))
    return found | ({"_rejected:"} if "}}_rejected:'" in reference else set())


def test_ingest_restates_every_key_rule_reason_of_the_macro() -> None:
    reasons = key_rule_reasons()
    assert reasons == {"duplicate_conflict", "orphan", "_rejected:"}
    sql = validation_sql(contract.load()["order_items"], "landed", "known_orders")
    assert all(reason in sql for reason in reasons), reasons


def test_row_rules_give_staging_reasons_on_bad_rows() -> None:
    """The rendered rules run as they are, and give each bad row its staging reason."""
    entity = contract.load()["order_items"]
    rows = [  # order_id, line_number, quantity, unit_price -> reason
        ("A", "1", "2", "3.5", None),
        (" ", "1", "2", "3.5", "missing_key"),
        ("A", "1", None, "3.5", "missing_required:quantity"),
        ("A", "1.5", "2", "3.5", "unparseable:line_number"),
        ("A", "1", "0x10", "3.5", "unparseable:quantity"),
        ("A", "1", "0", "3.5", "out_of_range:quantity"),
        ("A", "1", "2", "-1", "out_of_range:unit_price"),
        ("A", "0", "2", "3.5", "out_of_range:line_number"),
    ]
    values = ", ".join(
        "(" + ", ".join("null" if v is None else f"'{v}'" for v in row[:4]) + f", {n})"
        for n, row in enumerate(rows)
    )
    names = {c.name for c in entity.columns}
    landed = {"order_id", "line_number", "quantity", "unit_price"}
    nulls = ", ".join(f"cast(null as varchar) as {name}" for name in sorted(names - landed))
    cleaned = ", ".join(f"{rules.cleaned_value(c)} as {c.name}__raw" for c in entity.columns)
    typed = ", ".join(f"{rules.typed_value(c, entity.grain)} as {c.name}" for c in entity.columns)
    sql = f"""
        with landed as (
            select *, {nulls}, 'f' as _source_file
            from (values {values}) as v(order_id, line_number, quantity, unit_price, _source_row)
        ),
        cleaned as (select {cleaned}, _source_file, _source_row from landed),
        typed as (select *, {typed} from cleaned)
        select {rules.row_rules(entity)} from typed order by _source_row
    """
    assert [r[0] for r in duckdb.sql(sql).fetchall()] == [row[4] for row in rows]
