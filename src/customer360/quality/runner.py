"""Run the suites with Great Expectations over DuckDB record batches and collect one
result row per check.

A frame is never loaded whole: its query is streamed in record batches of at most
`batch_rows` rows, each batch is validated as a pandas frame, and the batches' results
are combined — a check succeeds when it succeeds on every batch; unexpected counts add
up. GX runs in an ephemeral context; its validation results feed a Data Docs site.

A failed check keeps up to SAMPLE_SIZE failing values (with the row's key when the suite
has one), except a check on a column the contract marks pii (`Check.personal`): those
checks run as a GX suite of their own, `<suite>.personal`, whose results GX computes
without any values (no partial_unexpected_list, counts or index list), so neither the
results table nor the Data Docs hold them; the result shows the marker instead.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import shutil
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from customer360.quality.suites import Check, Suite

BATCH_ROWS = 250_000
SAMPLE_SIZE = 5


@dataclass
class Result:
    """One check's combined outcome over every batch of its frame."""

    suite: Suite
    check: Check
    success: bool = True
    element_count: int = 0
    unexpected_count: int | None = None
    observed: list[str] = field(default_factory=list)
    samples: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    batches: int = 0

    @property
    def observed_value(self) -> str:
        if self.errors:
            return "error: " + self.errors[0]
        if self.check.expectation == "ExpectTableRowCountToBeBetween":
            return f"{self.element_count} rows"
        if self.observed:
            return ", ".join(dict.fromkeys(self.observed))
        if self.unexpected_count is not None:
            text = f"{self.unexpected_count} unexpected of {self.element_count}"
            if self.hidden:
                return f"{text}: {self.hidden}"
            return text + (f": {'; '.join(self.samples)}" if self.samples else "")
        return "present" if self.success else "missing"

    @property
    def hidden(self) -> str | None:
        """What a failed check on a personal column says instead of its values."""
        if self.check.personal and self.unexpected_count:
            return f"values not shown {self.check.personal}"
        return None

    @property
    def details(self) -> str:
        text = f"{self.check.expectation}({json.dumps(self.check.kwargs, default=str)})"
        if self.check.notes:
            text += f"; {self.check.notes}"
        if self.hidden:
            text += f"; {self.hidden}"
        elif self.samples and self.unexpected_count:
            text += f"; e.g. {'; '.join(self.samples)}"
        return text


def _plain(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, tuple):
        return tuple(_plain(item) for item in value)
    return value


def _quiet_gx() -> None:
    for name in ("great_expectations", "great_expectations.core", "py.warnings"):
        logging.getLogger(name).setLevel(logging.ERROR)


def make_context(docs_dir: Path | None):
    """An ephemeral GX context without progress bars; with a Data Docs site when asked."""
    _quiet_gx()
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    sites = {}
    if docs_dir is not None:
        sites["customer360"] = {
            "class_name": "SiteBuilder",
            "show_how_to_buttons": False,
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(docs_dir),
            },
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        }
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        data_docs_sites=sites,
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
    )
    return gx.get_context(project_config=config, mode="ephemeral")


def gx_kwargs(check: Check) -> dict[str, Any]:
    """The check's arguments, with its row condition as a GX Condition object."""
    from great_expectations.expectations.row_conditions import Column

    kwargs = dict(check.kwargs)
    condition = kwargs.pop("row_condition", None)
    if condition is not None:
        kwargs["row_condition"] = Column(condition["column"]) == condition["equals"]
    return kwargs


def batches(
    connection: duckdb.DuckDBPyConnection, sql: str, batch_rows: int
) -> Iterator[pd.DataFrame]:
    """The frame's rows as pandas frames of at most batch_rows rows (at least one frame)."""
    reader = connection.sql(sql).to_arrow_reader(batch_rows)
    seen = False
    for batch in reader:
        if batch.num_rows == 0 and seen:
            continue
        seen = True
        yield pa.Table.from_batches([batch]).to_pandas()
    if not seen:
        yield reader.schema.empty_table().to_pandas()


@dataclass
class Group:
    """Checks of one suite run as one GX suite (a validation definition over the suite's
    frame), with the number of failing values GX returns for each."""

    definition: Any
    results: list[Result]
    samples: int


def groups(context, source, suite: Suite, results: list[Result]) -> list[Group]:
    """The suite's checks as GX suites: `<suite>` (always, even when empty) for the checks
    that show failing values, `<suite>.personal` for those on personal columns (none)."""
    import great_expectations as gx
    import great_expectations.expectations as gxe

    asset = source.add_dataframe_asset(name=suite.gx_name)
    personal = [result for result in results if result.check.personal]
    parts = [(suite.gx_name, [result for result in results if not result.check.personal])]
    if personal:
        parts.append((f"{suite.gx_name}.personal", personal))
    made = []
    for name, part in parts:
        expectations = [
            getattr(gxe, result.check.expectation)(
                **gx_kwargs(result.check),
                meta={
                    "check": result.check.name,
                    "severity": result.check.severity,
                    "notes": result.check.notes,
                },
            )
            for result in part
        ]
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(
                name=name,
                data=asset.add_batch_definition_whole_dataframe(name),
                suite=context.suites.add(gx.ExpectationSuite(name=name, expectations=expectations)),
            )
        )
        made.append(Group(definition, part, 0 if part is personal else SAMPLE_SIZE))
    return made


def run_suites(
    suites: list[Suite],
    connections: dict[str, duckdb.DuckDBPyConnection],
    run_name: str,
    run_time: dt.datetime,
    docs_dir: Path | None = None,
    batch_rows: int = BATCH_ROWS,
    progress: Callable[[str], None] | None = None,
) -> list[Result]:
    """Validate every suite; return the results in suite and check order."""
    from great_expectations.core.run_identifier import RunIdentifier

    context = make_context(docs_dir)
    source = context.data_sources.add_pandas("customer360")
    results: list[Result] = []
    for number, suite in enumerate(suites, 1):
        if progress:
            progress(f"[{number}/{len(suites)}] {suite.gx_name}")
        suite_results = [Result(suite, check) for check in suite.checks]
        results.extend(suite_results)
        suite_groups = groups(context, source, suite, suite_results)
        try:
            frames = batches(connections[suite.source], suite.sql, batch_rows)
            for index, frame in enumerate(frames):
                name = run_name if index == 0 else f"{run_name}-batch{index + 1}"
                for group in suite_groups:
                    result_format: dict[str, Any] = {
                        "result_format": "SUMMARY",
                        "partial_unexpected_count": group.samples,
                    }
                    if group.samples and suite.key and suite.key in frame.columns:
                        result_format["unexpected_index_column_names"] = [suite.key]
                    validation = group.definition.run(
                        batch_parameters={"dataframe": frame},
                        result_format=result_format,
                        run_id=RunIdentifier(run_name=name, run_time=run_time),
                    )
                    _combine(group.results, validation.results, len(frame))
        except duckdb.Error as error:
            message = str(error).splitlines()[0]
            for result in suite_results:
                result.success = False
                result.errors.append(f"cannot read {suite.table}: {message}")
    if docs_dir is not None:
        context.build_data_docs()
    return results


def _combine(results: list[Result], validations: list, rows: int) -> None:
    by_check = {
        validation.expectation_config.meta["check"]: validation for validation in validations
    }
    for result in results:
        validation = by_check[result.check.name]
        result.batches += 1
        result.success = result.success and bool(validation.success)
        message = _exception(validation.exception_info)
        if message:
            result.errors.append(message)
            result.success = False
            continue
        outcome = validation.result or {}
        if "unexpected_count" in outcome:
            result.unexpected_count = (result.unexpected_count or 0) + int(
                outcome["unexpected_count"] or 0
            )
            result.element_count += int(outcome.get("element_count") or 0)
            if result.check.personal:
                continue  # counts only (GX was asked for no values; keep none if it gave any)
            key = result.suite.key
            indexed = outcome.get("partial_unexpected_index_list") or []
            values = outcome.get("partial_unexpected_list") or []
            for position, value in enumerate(values):
                if len(result.samples) >= SAMPLE_SIZE:
                    break
                value = _plain(value)
                if key and position < len(indexed) and key in indexed[position]:
                    result.samples.append(f"{_plain(indexed[position][key])}: {value}")
                else:
                    result.samples.append(str(value))
        elif result.check.personal and {"observed_value", "partial_missing_list"} & {*outcome}:
            result.observed.append(f"values not shown {result.check.personal}")
        elif "partial_missing_list" in outcome or "missing_count" in outcome:
            missing = [str(_plain(value)) for value in outcome.get("partial_missing_list") or []]
            result.observed.append("missing: " + ", ".join(missing) if missing else "all present")
        elif result.check.expectation == "ExpectTableRowCountToBeBetween":
            result.element_count += rows
        elif "observed_value" in outcome:
            result.observed.append(str(_plain(outcome["observed_value"])))


def _exception(info: dict | None) -> str | None:
    """The message of an expectation that raised (GX nests it by metric at times)."""
    if not info:
        return None
    candidates = [info, *(value for value in info.values() if isinstance(value, dict))]
    for candidate in candidates:
        if candidate.get("raised_exception"):
            return str(candidate.get("exception_message") or "exception").splitlines()[0]
    return None


def replace_dir(new: Path, target: Path) -> None:
    """Swap a complete new folder in for target (rename old away, rename new in)."""
    old = target.with_name(f".{target.name}.old.{os.getpid()}")
    if target.exists():
        target.rename(old)
    new.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
