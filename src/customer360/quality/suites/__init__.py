"""The expectation suites, as data: what `customer360 validate` checks and how severe a
failure is.

A `Suite` is one frame — a query over the landing zone or the serving copy that selects
only the columns its checks need — and the `Check`s run on it. A check names a Great
Expectations 1.x expectation class and its arguments; the runner builds the expectation,
streams the frame in record batches and combines the batches' results.

Severity: a failed `critical` check fails the command; a failed `warning` is reported
and stored but does not. Landing checks that staging already handles row by row (rows it
rejects into `marts.rejected_rows`) are warnings; a missing required column or a column
landed with an impossible type is critical. Every mart check encodes a business rule and
is critical.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import duckdb

from customer360 import staging_rules as rules
from customer360.contract import Column, Entity, personal_marker
from customer360.errors import UserError

CRITICAL = "critical"
WARNING = "warning"

REBUILD = "rebuild and republish (`make run`); if it persists, the model is wrong: fix it"
FIX_LANDING = "fix the landed file (or re-ingest it with `customer360 ingest ... --map`)"
STAGING_REJECTS = (
    "staging rejects these rows into marts.rejected_rows; fix the source file to keep them"
)

# The DuckDB types (base names) a landed column of each contract kind may have: text in
# CSV (read as text) or any type staging can cast without changing the value's meaning.
INTEGER_TYPES = (
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
    "UHUGEINT",
)
NUMBER_TYPES = (*INTEGER_TYPES, "DECIMAL", "DOUBLE", "FLOAT")
TIME_TYPES = (
    "DATE",
    "TIMESTAMP",
    "TIMESTAMP_S",
    "TIMESTAMP_MS",
    "TIMESTAMP_NS",
    "TIMESTAMP WITH TIME ZONE",
)
ACCEPTED_TYPES = {
    "text": ("VARCHAR", *INTEGER_TYPES, "UUID"),
    "integer": ("VARCHAR", *NUMBER_TYPES),
    "decimal": ("VARCHAR", *NUMBER_TYPES),
    "date": ("VARCHAR", *TIME_TYPES),
    "timestamp": ("VARCHAR", *TIME_TYPES),
}
# Dates outside this range are typing slips (a year 20 instead of 2020, an epoch zero).
EARLIEST_DATE = dt.datetime(1900, 1, 1)
LATEST_DATE = dt.datetime(2100, 1, 1)


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


# --- seeds and thresholds ---------------------------------------------------------------


def read_seed(project: Path, name: str) -> list[dict[str, str]]:
    with (project / "seeds" / f"{name}.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@dataclass(frozen=True)
class Rules:
    """The value sets of the rules seeds and the thresholds (dbt vars) the marts use."""

    rfm_segments: tuple[str, ...]
    personas: tuple[str, ...]
    tiers: tuple[str, ...]
    risk_bands: tuple[tuple[str, float, bool], ...]  # (band, min_probability, inclusive)
    thresholds: dict[str, Any]

    @classmethod
    def load(cls, project: Path, thresholds: dict[str, Any]) -> Rules:
        bands = (
            (
                row["risk_band"],
                float(row["min_probability"]),
                row["is_min_inclusive"].strip().lower() == "true",
            )
            for row in read_seed(project, "churn_risk_bands")
        )
        return cls(
            rfm_segments=tuple(row["rfm_segment"] for row in read_seed(project, "rfm_segments")),
            personas=tuple(row["persona"] for row in read_seed(project, "segment_personas")),
            tiers=tuple(row["tier"] for row in read_seed(project, "loyalty_tiers")),
            risk_bands=tuple(sorted(bands, key=lambda band: band[1])),
            thresholds=thresholds,
        )

    def var(self, name: str) -> Any:
        return self.thresholds[name]


# --- landing suites ---------------------------------------------------------------------


@dataclass(frozen=True)
class LandedEntity:
    """What is landed for an entity: the scan query and the landed type of each column."""

    entity: Entity
    scan: str | None  # a query over every landed file; None when nothing is landed
    types: dict[str, str]  # contract column -> DuckDB base type as landed


def inspect_landing(
    connection: duckdb.DuckDBPyConnection, folder: Path, entity: Entity
) -> LandedEntity:
    """Scan the Parquet and CSV files of one entity (as staging reads them)."""
    parts, types = [], {}
    scans = {
        "parquet": f"read_parquet({sql_string(str(folder / '*.parquet'))}, union_by_name = true)",
        "csv": f"read_csv({sql_string(str(folder / '*.csv'))}, header = true, "
        "all_varchar = true, union_by_name = true)",
    }
    present = {
        kind: bool(list(folder.glob(f"*.{kind}"))) if folder.is_dir() else False for kind in scans
    }
    as_text = present["parquet"] and present["csv"]
    for kind, scan in scans.items():
        if not present[kind]:
            continue
        try:
            described = connection.execute(f"describe select * from {scan}").fetchall()
        except duckdb.Error as error:
            raise UserError(
                f"{folder}: cannot read the landed {kind.upper()} files "
                f"({str(error).splitlines()[0]}); re-land them with `customer360 ingest`"
            ) from error
        landed = {row[0]: row[1] for row in described}
        columns = [name for name in entity.column_names if name in landed]
        for name in columns:
            base = "VARCHAR" if as_text else landed[name].split("(")[0].upper()
            if types.get(name, base) != base:
                base = "VARCHAR"
            types[name] = base
        parts.append((scan, columns))
    if not parts:
        return LandedEntity(entity, None, {})
    all_columns = [name for name in entity.column_names if name in types]
    selects = []
    for scan, columns in parts:
        values = [
            (f"cast({quote(name)} as varchar)" if as_text else quote(name))
            if name in columns
            else "cast(null as varchar)"
            for name in all_columns
        ]
        selects.append(
            "select "
            + ", ".join(
                f"{value} as {quote(name)}" for value, name in zip(values, all_columns, strict=True)
            )
            + f" from {scan}"
        )
    return LandedEntity(entity, "\nunion all by name\n".join(selects), types)


def typed_value(column: Column, landed_type: str) -> str:
    """The value as staging types it (customer360.staging_rules, staging's own macros,
    without the defaults), over the frame's `<column>__raw`; dates as timestamps and
    decimals as doubles for pandas (Decimal is slow and does not compare with float
    thresholds)."""
    value = rules.typed_value(column, landed_type=landed_type, defaults=False)
    if column.kind == "date":
        return f"cast({value} as timestamp)"
    if column.kind == "decimal":
        return f"cast({value} as double)"
    return value


def landing_suites(
    connection: duckdb.DuckDBPyConnection,
    landing_dir: Path,
    entities: dict[str, Entity],
    as_of_date: dt.date | None,
) -> list[Suite]:
    """A schema suite and a data suite per landed entity (and per required entity)."""
    suites = []
    for entity in entities.values():
        landed = inspect_landing(connection, landing_dir / entity.name, entity)
        if landed.scan is None and not entity.required_entity:
            continue
        suites.extend(entity_suites(landed, as_of_date))
    return suites


def entity_suites(landed: LandedEntity, as_of_date: dt.date | None) -> list[Suite]:
    entity = landed.entity
    table = entity.name
    # 1. the schema: required columns present, each landed column of a usable type
    schema_rows = [
        (name, landed.types[name]) for name in entity.column_names if name in landed.types
    ]
    schema_sql = (
        "select * from (values "
        + ", ".join(f"({sql_string(name)}, {sql_string(kind)})" for name, kind in schema_rows)
        + ") as landed(column_name, landed_type)"
        if schema_rows
        else "select cast(null as varchar) as column_name, cast(null as varchar) as landed_type "
        "where false"
    )
    schema_checks = [
        Check(
            f"{table}_has_required_columns",
            "ExpectColumnDistinctValuesToContainSet",
            {"column": "column_name", "value_set": entity.required_columns},
            notes="the contract's required columns (models/staging/_sources.yml)",
            advice=f"land every required column of {table}: {', '.join(entity.required_columns)}; "
            + FIX_LANDING,
        )
    ]
    for name, _ in schema_rows:
        column = entity.column(name)
        accepted = ACCEPTED_TYPES[column.kind]
        schema_checks.append(
            Check(
                f"{name}_type_is_{column.kind}",
                "ExpectColumnValuesToBeInSet",
                {
                    "column": "landed_type",
                    "value_set": list(accepted),
                    **where("column_name", name),
                },
                column=name,
                notes=f"contract type {column.data_type}; landed types staging can cast: "
                + ", ".join(accepted),
                advice=f"land {table}.{name} as {column.data_type} (or as text); " + FIX_LANDING,
            )
        )
    suites = [
        Suite(
            "landing",
            f"{table}.columns",
            "landing",
            schema_sql,
            tuple(schema_checks),
            key="column_name",
            notes="the landed columns and their types",
        )
    ]

    # 2. the rows: typed values, unparseable text, nulls, value sets, ranges and dates
    checks: list[Check] = []
    if entity.required_entity:
        checks.append(
            Check(
                f"{table}_has_rows",
                "ExpectTableRowCountToBeBetween",
                {"min_value": 1},
                notes=f"{table} is a required entity",
                advice=f"land {table}: `customer360 demo` or `customer360 ingest FILE "
                f"--entity {table}`",
            )
        )
    selects = []
    for column in entity.columns:
        name = column.name
        if name not in landed.types:
            continue
        landed_type = landed.types[name]
        selects.append(f"{typed_value(column, landed_type)} as {quote(name)}")
        if column.required:
            checks.append(
                Check(
                    f"{name}_exists",
                    "ExpectColumnToExist",
                    {"column": name},
                    advice=f"land the column {table}.{name}; " + FIX_LANDING,
                )
            )
            landed_column = name
            if column.kind != "text":  # null as landed, not null because it does not parse
                landed_column = f"{name}__landed"
                selects.append(
                    f"nullif(trim(cast({quote(name)} as varchar)), '') as {quote(landed_column)}"
                )
            checks.append(
                Check(
                    f"{name}_not_null",
                    "ExpectColumnValuesToNotBeNull",
                    {"column": landed_column},
                    column=name,
                    severity=WARNING,
                    advice=STAGING_REJECTS,
                    notes="rows without it are rejected as missing_key / missing_required",
                )
            )
        if column.kind != "text":
            raw = quote(name)
            text = f"nullif(trim(cast({raw} as varchar)), '')"
            selects.append(
                f"case when {text} is not null and {typed_value(column, landed_type)} is null "
                f"then {text} end as {quote(name + '__unparseable')}"
            )
            checks.append(
                Check(
                    f"{name}_parses_as_{column.kind}",
                    "ExpectColumnValuesToBeNull",
                    {"column": f"{name}__unparseable"},
                    severity=WARNING,
                    column=name,
                    notes=f"values that do not cast to {column.data_type} (shown as landed); "
                    f"staging rejects them as unparseable:{name}",
                    advice=STAGING_REJECTS,
                )
            )
        if column.accepted_values:
            checks.append(
                Check(
                    f"{name}_in_accepted_values",
                    "ExpectColumnValuesToBeInSet",
                    {"column": name, "value_set": list(column.accepted_values)},
                    severity=WARNING,
                    advice=STAGING_REJECTS,
                    notes=f"staging rejects other values as out_of_range:{name}",
                )
            )
        if column.min_value is not None or column.max_value is not None:
            checks.append(
                between(
                    f"{name}_in_range",
                    name,
                    column.min_value,
                    column.max_value,
                    strict_low=column.min_exclusive,
                    severity=WARNING,
                    advice=STAGING_REJECTS,
                    notes=f"staging rejects other values as out_of_range:{name}",
                )
            )
        if column.signed_return:  # a negative value is a returned line; zero is no line
            checks.append(
                Check(
                    f"{name}_not_zero",
                    "ExpectColumnValuesToNotBeInSet",
                    {"column": name, "value_set": [0]},
                    severity=WARNING,
                    advice=STAGING_REJECTS,
                    notes=f"a negative {name} is a returned line; staging rejects 0 as "
                    f"out_of_range:{name}",
                )
            )
        if column.kind in ("date", "timestamp"):
            checks.append(
                between(
                    f"{name}_between_1900_and_2100",
                    name,
                    EARLIEST_DATE,
                    LATEST_DATE,
                    strict_high=True,
                    severity=WARNING,
                    notes="a date outside 1900-2100 is usually a typing slip",
                    advice="check the date format of the source file (ingest --date-format)",
                )
            )
    if table == "orders" and "ordered_at" in landed.types and as_of_date is not None:
        checks.append(
            between(
                "no_orders_after_as_of_date",
                "ordered_at",
                high=dt.datetime.combine(as_of_date, dt.time()),
                strict_high=True,
                severity=WARNING,
                notes=f"as-of date {as_of_date}: later orders are data (kept in the facts) "
                "but count towards no customer figure; an explicit past as_of_date is "
                "legitimate",
                advice="expected when as_of_date is set in the past; otherwise check the "
                "order timestamps",
            )
        )
    cleaned = ", ".join(  # the `<column>__raw` that staging's typed values read
        f"{rules.cleaned_value(entity.column(name), kind)} as {quote(name + '__raw')}"
        for name, kind in landed.types.items()
    )
    sql = (
        f"select {', '.join(selects)} from (select *, {cleaned} from ({landed.scan}))"
        if landed.scan and selects
        else "select 1 as no_columns where false"
    )
    suites.append(
        Suite(
            "landing",
            table,
            "landing",
            sql,
            without_personal_values(checks, entity),
            notes=f"every landed {table} file",
        )
    )
    return suites


def without_personal_values(checks: list[Check], entity: Entity) -> tuple[Check, ...]:
    """The checks, those on a column the contract marks pii showing a marker instead of
    the values that fail them (the results, Data Docs and dashboards are read by BI)."""
    personal = {column.name for column in entity.columns if column.pii}
    marker = personal_marker(entity.name)
    return tuple(
        replace(check, personal=marker) if check.column_name in personal else check
        for check in checks
    )


# --- mart suites ------------------------------------------------------------------------

# One-row-per-customer marts, grouped honestly by whom they cover.
ALL_CUSTOMER_MARTS = (
    "marts.dim_customers",
    "marts.customer_metrics",
    "marts.customer_status",
    "marts.customer_behavior",
    "marts.customer_360",
    "marts.retention_offers",
)
BUYER_MARTS = (
    "marts.customer_rfm",
    "marts.customer_churn_labels",
    "marts.customer_segments",
    "marts.customer_tiers",
)
# Every buyer is scored once a churn model exists; without labelled history (less than the
# churn horizon of data) there is no model and nobody is scored.
SCORED_MARTS = ("marts.churn_predictions", "ml.churn_scores")
SCORED_CUSTOMERS = (
    "(select case when exists (select 1 from ml.churn_model_runs "
    "where is_current and model_family is not null) "
    "then (select count(*) from marts.customer_rfm) else 0 end)"
)


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


def mart_suites(rules: Rules) -> list[Suite]:
    buckets = rules.var("rfm_buckets")
    suites = [
        Suite(
            "rfm",
            "customer_rfm",
            "serving",
            "select customer_id, rfm_segment, r_score, f_score, m_score, fm_score "
            "from marts.customer_rfm",
            (
                *(
                    between(f"{score}_between_1_and_{buckets}", score, 1, buckets)
                    for score in ("r_score", "f_score", "m_score", "fm_score")
                ),
                not_null(
                    "rfm_segment_not_null",
                    "rfm_segment",
                    notes="every R/FM cell maps to a segment (rfm_segment_cells seed)",
                ),
                in_set(
                    "rfm_segment_in_rules_seed",
                    "rfm_segment",
                    rules.rfm_segments,
                    notes="seeds/rfm_segments.csv",
                ),
            ),
            key="customer_id",
        ),
        Suite(
            "churn",
            "churn_predictions",
            "serving",
            "select customer_id, churn_probability, churn_score, risk_band "
            "from marts.churn_predictions",
            (
                not_null("churn_probability_not_null", "churn_probability"),
                between("churn_probability_between_0_and_1", "churn_probability", 0, 1),
                between("churn_score_between_0_and_100", "churn_score", 0, 100),
                in_set(
                    "risk_band_in_bands_seed",
                    "risk_band",
                    [band for band, _, _ in rules.risk_bands],
                    notes="seeds/churn_risk_bands.csv",
                ),
                *risk_band_checks(rules),
            ),
            key="customer_id",
        ),
        Suite(
            "churn",
            "customer_360",
            "serving",
            "select customer_id, churn_probability, has_purchased, persona, tier "
            "from marts.customer_360",
            (
                between("churn_probability_between_0_and_1", "churn_probability", 0, 1),
                Check(
                    "buyers_have_a_persona",
                    "ExpectColumnValuesToNotBeNull",
                    {"column": "persona", **where("has_purchased", True)},
                    notes="every customer with a purchase has a persona",
                ),
                Check(
                    "buyers_have_a_tier",
                    "ExpectColumnValuesToNotBeNull",
                    {"column": "tier", **where("has_purchased", True)},
                    notes="every customer with a purchase has a loyalty tier",
                ),
            ),
            key="customer_id",
        ),
        Suite(
            "personas_tiers",
            "customer_segments",
            "serving",
            "select customer_id, persona from marts.customer_segments",
            (
                not_null("persona_not_null", "persona"),
                in_set(
                    "persona_in_personas_seed",
                    "persona",
                    rules.personas,
                    notes="seeds/segment_personas.csv",
                ),
            ),
            key="customer_id",
        ),
        Suite(
            "personas_tiers",
            "customer_tiers",
            "serving",
            "select customer_id, tier from marts.customer_tiers",
            (
                not_null("tier_not_null", "tier"),
                in_set("tier_in_tiers_seed", "tier", rules.tiers, notes="seeds/loyalty_tiers.csv"),
            ),
            key="customer_id",
        ),
        Suite(
            "products",
            "product_stock_health",
            "serving",
            "select product_id, sold_ratio, is_dead_stock from marts.product_stock_health",
            (
                between("sold_ratio_at_least_0", "sold_ratio", 0),
                not_null("is_dead_stock_not_null", "is_dead_stock"),
                Check(
                    "dead_stock_has_a_sold_ratio",
                    "ExpectColumnValuesToNotBeNull",
                    {"column": "sold_ratio", **where("is_dead_stock", True)},
                    notes="a product without receipts has no ratio and is not dead stock",
                ),
                between(
                    "dead_stock_below_threshold",
                    "sold_ratio",
                    high=rules.var("dead_stock_ratio"),
                    strict_high=True,
                    kwargs=where("is_dead_stock", True),
                    notes="dead stock: sold ratio below dead_stock_ratio",
                ),
                between(
                    "other_stock_at_or_above_threshold",
                    "sold_ratio",
                    low=rules.var("dead_stock_ratio"),
                    kwargs=where("is_dead_stock", False),
                    notes="not dead stock: sold ratio at or above dead_stock_ratio (or "
                    "no receipts)",
                ),
            ),
            key="product_id",
        ),
        Suite(
            "bundles",
            "association_rules",
            "serving",
            "select rules.rule, rules.support, rules.confidence, rules.lift, "
            "rules.support - summary.min_support_used as support_above_min_support_used "
            "from ml.association_rules as rules "
            "cross join marts.bundle_mining_summary as summary",
            rule_threshold_checks(rules),
            key="rule",
        ),
        Suite(
            "bundles",
            "product_bundles",
            "serving",
            "select bundles.dead_stock_product_id || ' + ' || bundles.selling_product_id "
            "as bundle, bundles.support, bundles.confidence, bundles.lift, "
            "bundles.support - summary.min_support_used as support_above_min_support_used "
            "from marts.product_bundles as bundles "
            "cross join marts.bundle_mining_summary as summary",
            rule_threshold_checks(rules),
            key="bundle",
        ),
        bundle_summary_suite(rules),
        roi_suite(rules),
        roi_by_segment_suite(rules),
        counts_suite(),
    ]
    return suites


def risk_band_checks(rules: Rules) -> list[Check]:
    """A probability belongs to the band with the highest minimum it reaches (strictly
    above it, or equal when the band includes its minimum) — as churn_predictions says."""
    checks = []
    bands = rules.risk_bands
    for index, (band, low, inclusive) in enumerate(bands):
        if index + 1 < len(bands):
            _, high, next_inclusive = bands[index + 1]
            high_kwargs = {"high": high, "strict_high": next_inclusive}
        else:
            high_kwargs = {"high": 1}
        checks.append(
            between(
                f"risk_band_{band}_matches_probability",
                "churn_probability",
                low,
                strict_low=not inclusive,
                kwargs=where("risk_band", band),
                notes="band limits from seeds/churn_risk_bands.csv",
                **high_kwargs,
            )
        )
    return checks


def rule_threshold_checks(rules: Rules) -> tuple[Check, ...]:
    """Support at or above the support the build used (fixed, or chosen by auto: the same
    basket count over the same baskets, so the difference is exact), confidence and lift at
    or above their vars."""
    return (
        between(
            "support_at_least_min_support_used",
            "support_above_min_support_used",
            0,
            column="support",
            notes="bundle_mining_summary.min_support_used: var bundle_min_support, or auto's",
        ),
        between(
            "confidence_at_least_min_confidence",
            "confidence",
            rules.var("bundle_min_confidence"),
            1,
            notes="var bundle_min_confidence",
        ),
        between(
            "lift_at_least_min_lift",
            "lift",
            rules.var("bundle_min_lift"),
            notes="var bundle_min_lift",
        ),
    )


def bundle_summary_suite(rules: Rules) -> Suite:
    """The support the bundles were mined at: auto never below its floor nor above its
    start; fixed exactly the var; and built in the mode validate expects."""
    configured = rules.var("bundle_min_support")
    mode = "auto" if str(configured).strip().lower() == "auto" else "fixed"
    sql = """
        select
            'bundle_mining_summary' as frame,
            support_mode,
            min_support_used,
            case when support_mode = 'auto' then
                min_basket_count_used - least(min_support_baskets, baskets) end
                as basket_count_above_floor,
            case when support_mode = 'auto' then
                auto_start_support - min_support_used end as support_below_auto_start
        from marts.bundle_mining_summary
    """
    checks = [
        Check("one_row", "ExpectTableRowCountToEqual", {"value": 1}),
        between(
            "auto_support_at_least_the_floor",
            "basket_count_above_floor",
            0,
            column="min_basket_count_used",
            notes="auto: itemsets in at least bundle_min_support_baskets baskets",
        ),
        between(
            "auto_support_at_most_the_start",
            "support_below_auto_start",
            0,
            column="min_support_used",
            notes="auto: never above bundle_auto_start_support",
        ),
        in_set(
            "built_with_validated_support_mode",
            "support_mode",
            [mode],
            severity=WARNING,
            advice="pass validate the vars the build used (--vars)",
        ),
    ]
    if mode == "fixed":
        checks.append(
            in_set(
                "built_with_validated_min_support",
                "min_support_used",
                [float(configured)],
                severity=WARNING,
                advice="pass validate the vars the build used (--vars)",
            )
        )
    return Suite("bundles", "bundle_mining_summary", "serving", sql, tuple(checks), key="frame")


def roi_suite(rules: Rules) -> Suite:
    """The Pulse ROI formula's arithmetic, and its total value recomputed from customer_360."""
    share, min_churn = rules.var("roi_top_monetary_share"), rules.var("roi_min_churn_probability")
    ratio = rules.var("retention_cost_ratio")
    sql = f"""
        with buyers as (
            select
                churn_probability,
                (monetary - min(monetary) over ())
                / nullif(max(monetary) over () - min(monetary) over (), 0) as monetary_score,
                percent_rank() over (order by monetary desc) as monetary_rank_ratio
            from marts.customer_360
            where has_purchased
        ),
        recomputed as (
            select
                count(*) as targeted_customers,
                coalesce(sum(monetary_score * 100), 0) as total_value
            from buyers
            where monetary_rank_ratio < {share} and churn_probability > {min_churn}
        )
        select
            'retention_roi' as frame,
            roi.targeted_customers,
            recomputed.targeted_customers as recomputed_targeted_customers,
            cast(abs(roi.total_value - recomputed.total_value) as double) as total_value_error,
            cast(abs(roi.retention_cost - roi.total_value * {ratio}) as double)
                as retention_cost_error,
            cast(abs(roi.net_profit - (roi.total_value - roi.retention_cost)) as double)
                as net_profit_error,
            case when roi.retention_cost = 0 then 0 else
                abs(roi.roi_pct - roi.net_profit / roi.retention_cost * 100) end as roi_pct_error,
            cast(roi.top_monetary_share as double) as top_monetary_share,
            cast(roi.min_churn_probability as double) as min_churn_probability,
            cast(roi.retention_cost_ratio as double) as retention_cost_ratio
        from marts.retention_roi as roi
        cross join recomputed
    """
    tolerance = 1e-6
    return Suite(
        "roi",
        "retention_roi",
        "serving",
        sql,
        (
            Check("one_row", "ExpectTableRowCountToEqual", {"value": 1}),
            equal(
                "targeted_customers_recomputed",
                "targeted_customers",
                "recomputed_targeted_customers",
                notes="top roi_top_monetary_share of buyers by monetary with churn probability "
                "above roi_min_churn_probability, recounted from customer_360",
            ),
            between(
                "total_value_recomputed",
                "total_value_error",
                0,
                tolerance,
                column="total_value",
                notes="sum of monetary_score * 100 over the targeted customers, from customer_360",
            ),
            between(
                "retention_cost_is_ratio_of_value",
                "retention_cost_error",
                0,
                tolerance,
                column="retention_cost",
                notes="retention_cost = retention_cost_ratio * total_value",
            ),
            between(
                "net_profit_is_value_minus_cost",
                "net_profit_error",
                0,
                tolerance,
                column="net_profit",
                notes="net_profit = total_value - retention_cost",
            ),
            between(
                "roi_pct_is_profit_over_cost",
                "roi_pct_error",
                0,
                tolerance,
                column="roi_pct",
                notes="roi_pct = net_profit / retention_cost * 100",
            ),
            in_set(
                "built_with_validated_top_share",
                "top_monetary_share",
                [share],
                severity=WARNING,
                advice="pass validate the vars the build used (--vars)",
            ),
            in_set(
                "built_with_validated_min_churn",
                "min_churn_probability",
                [min_churn],
                severity=WARNING,
                advice="pass validate the vars the build used (--vars)",
            ),
            in_set(
                "built_with_validated_cost_ratio",
                "retention_cost_ratio",
                [ratio],
                severity=WARNING,
                advice="pass validate the vars the build used (--vars)",
            ),
        ),
        key="frame",
    )


def roi_by_segment_suite(rules: Rules) -> Suite:
    save, ratio = rules.var("retention_save_rate"), rules.var("retention_cost_ratio")
    sql = f"""
        select
            rfm_segment,
            cast(abs(expected_saved_value - value_at_risk * {save}) as double)
                as expected_saved_value_error,
            cast(abs(retention_cost - monetary * {ratio}) as double) as retention_cost_error,
            cast(abs(net_expected_value - (expected_saved_value - retention_cost)) as double)
                as net_expected_value_error,
            case when coalesce(retention_cost, 0) = 0 then 0 else
                abs(roi_pct - net_expected_value / retention_cost * 100) end as roi_pct_error
        from marts.retention_roi_by_segment
    """
    # the amounts are rounded to decimal(18, 4): a difference of rounded figures may be off
    # by 0.0001; roi_pct is computed from the unrounded figures: within 0.01 points
    tolerance, points = 1e-4, 0.01
    return Suite(
        "roi",
        "retention_roi_by_segment",
        "serving",
        sql,
        (
            in_set("rfm_segment_in_rules_seed", "rfm_segment", rules.rfm_segments),
            between(
                "expected_saved_value_is_save_rate_of_risk",
                "expected_saved_value_error",
                0,
                tolerance,
                column="expected_saved_value",
                notes="expected_saved_value = value_at_risk * retention_save_rate (± 0.0001: "
                "amounts are rounded to 4 decimals)",
            ),
            between(
                "retention_cost_is_ratio_of_monetary",
                "retention_cost_error",
                0,
                tolerance,
                column="retention_cost",
                notes="retention_cost = retention_cost_ratio * monetary",
            ),
            between(
                "net_expected_value_is_saved_minus_cost",
                "net_expected_value_error",
                0,
                tolerance,
                column="net_expected_value",
                notes="net_expected_value = expected_saved_value - retention_cost",
            ),
            between(
                "roi_pct_is_net_over_cost",
                "roi_pct_error",
                0,
                points,
                column="roi_pct",
                notes="roi_pct = net_expected_value / retention_cost * 100 (± 0.01 points)",
            ),
        ),
        key="rfm_segment",
    )


def counts_suite() -> Suite:
    """Customer counts across the one-row-per-customer marts, by the group they cover."""
    parts = []
    for group, tables, expected in (
        ("all customers", ALL_CUSTOMER_MARTS, "(select count(*) from marts.dim_customers)"),
        ("buying customers", BUYER_MARTS, "(select count(*) from marts.customer_rfm)"),
        ("scored customers", SCORED_MARTS, SCORED_CUSTOMERS),
    ):
        for table in tables:
            parts.append(
                f"select {sql_string(table)} as table_name, {sql_string(group)} as customer_group, "
                f"count(*) as row_count, count(distinct customer_id) as distinct_customers, "
                f"{expected} as expected_customers from {table}"
            )
    parts.append(
        "select 'marts.customer_360 (has_purchased)', 'buying customers', count(*), "
        "count(distinct customer_id), (select count(*) from marts.customer_rfm) "
        "from marts.customer_360 where has_purchased"
    )
    sql = "\nunion all\n".join(parts) + "\norder by customer_group, table_name"
    return Suite(
        "counts",
        "customer_marts",
        "serving",
        sql,
        (
            equal(
                "one_row_per_customer",
                "row_count",
                "distinct_customers",
                notes="every one-row-per-customer mart has each customer once",
            ),
            equal(
                "customer_count_equal_within_group",
                "row_count",
                "expected_customers",
                notes="all-customer marts (dim_customers, customer_metrics, customer_status, "
                "customer_behavior, customer_360, retention_offers) match dim_customers; buyer "
                "marts (customer_rfm, customer_churn_labels, customer_segments, customer_tiers, "
                "customer_360 where has_purchased) match customer_rfm; churn_predictions and "
                "ml.churn_scores match customer_rfm once a churn model exists, else are empty. "
                "customer_email_engagement covers only e-mailed customers and is left out.",
            ),
        ),
        key="table_name",
    )
