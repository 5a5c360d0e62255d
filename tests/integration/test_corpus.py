"""The adversarial input corpus (tests/corpus): every file is ingested with the CLI into a
landing zone that already holds a demo data set, and its outcome is asserted exactly as
tests/corpus/cases.yml states it.

Error cases must exit 1 with one message that names the file (and the line), without a
traceback, leaving the landing zone and the built warehouse byte-identical. Success cases
are landed together and built once (staging, the quality marts and the order facts);
each file's rows are told apart by `_source_file`, and every landed row must come out
staged, as a duplicate or rejected with the reason the manifest gives, as the ingest
report predicted.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml

from customer360 import contract
from tests.helpers import BIN_DIR, PROJECT_DIR, Build, run_cli, run_dbt

pytestmark = pytest.mark.integration

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
FILES = CORPUS / "files"
MANIFEST = yaml.safe_load((CORPUS / "cases.yml").read_text(encoding="utf-8"))
ERRORS = [case for case in MANIFEST["cases"] if "error" in case]
SUCCESSES = [case for case in MANIFEST["cases"] if "error" not in case]
# staging, the quality marts, the order facts (future dates) and the baskets (guests), not
# the whole project; with their data tests (cautious: only tests whose every parent is built)
SELECTION = [
    "staging",
    "+landing_reconciliation",
    "+rejected_rows",
    "+fct_orders",
    "+fct_basket_items",
    "+int_as_of_date",
    "+dim_customers",
    "+dim_products",
]
LANDED_STEM = "part-00000"  # the name of the demo's landed files


@dataclass
class CorpusBuild:
    """The demo landing zone plus every success case, built once."""

    build: Build
    ingests: dict[str, subprocess.CompletedProcess]


def ingest(path: Path, case: dict, landing: Path, database: Path) -> subprocess.CompletedProcess:
    """`customer360 ingest` as a user runs it, with the warehouse settings of a build."""
    env = {
        **os.environ,
        "C360_LANDING_DIR": str(landing),
        "C360_DB_PATH": str(database),
        "C360_TEST_DB_PATH": str(database),
        "C360_TARGET": "test",
    }
    command = [
        str(BIN_DIR / "customer360"),
        "ingest",
        str(path),
        "--entity",
        case["entity"],
        *case.get("args", []),
        "--landing-dir",
        str(landing),
    ]
    return subprocess.run(
        command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, check=False
    )


def hashes(*roots: Path) -> dict[str, str]:
    """SHA-256 of every file under the roots (hidden and temporary files included)."""
    found = {}
    for root in roots:
        paths = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in paths:
            found[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def predicted_counts(report: str) -> dict[str, dict[str, int]]:
    """The ingest report's validation block as {entity: {outcome: rows}}."""
    counts: dict[str, dict[str, int]] = {}
    block = report.split("validation (what staging will do):\n", 1)[1].splitlines()
    entity = ""
    for line in block:
        if summary := re.match(
            r"  (\w+) +[\d,]+ rows: ([\d,]+) staged, ([\d,]+) exact duplicates dropped", line
        ):
            entity = summary[1]
            counts[entity] = {
                "staged": int(summary[2].replace(",", "")),
                "duplicate": int(summary[3].replace(",", "")),
            }
        elif reason := re.fullmatch(r" +([\d,]+)  (\S+)", line):
            counts[entity][reason[2]] = int(reason[1].replace(",", ""))
        else:
            break
    return {entity: {k: v for k, v in outcomes.items() if v} for entity, outcomes in counts.items()}


def source_file(case: dict) -> str:
    """The `_source_file` ingest records: the user's file, resolved."""
    return str((FILES / case["file"]).resolve())


def outcomes(build: Build, case: dict) -> dict[str, dict[int, str]]:
    """{entity: {source row: outcome}} of the case's file, from every base model."""
    found: dict[str, dict[int, str]] = {}
    for entity in contract.load():
        rows = build.query(
            f"select _source_row, coalesce(reject_reason, row_outcome) from staging.base_{entity} "
            f"where _source_file = '{source_file(case)}' order by 1"
        )
        if rows:
            found[entity] = dict(rows)
    return found


def expected_rows(case: dict) -> dict[str, dict[int, str]]:
    return {
        entity: {int(row): outcome for row, outcome in rows.items()}
        for entity, rows in case["rows"].items()
    }


def file_records(case: dict) -> list[dict[str, str]]:
    """The file's data records, read independently: Python's csv module, or pyarrow."""
    if case["file"].endswith(".parquet"):
        return pq.read_table(FILES / case["file"]).to_pylist()
    reading = case.get("read", {})
    with (FILES / case["file"]).open(
        newline="", encoding=reading.get("encoding", "utf-8-sig")
    ) as file:
        for _ in range(reading.get("skip", 0)):  # lines before the header
            file.readline()
        return [
            record
            for record in csv.DictReader(file, delimiter=reading.get("delimiter", ","))
            if any((value or "").strip() for value in record.values())
        ]


@pytest.fixture(scope="module")
def corpus_build(tmp_path_factory: pytest.TempPathFactory) -> CorpusBuild:
    work = tmp_path_factory.mktemp("corpus")
    landing = work / "landing"
    demo = run_cli(
        "demo", "--customers", "50", "--seed", "7", "--quiet", "--landing-dir", str(landing)
    )
    assert demo.returncode == 0, demo.stderr
    database = work / "warehouse.duckdb"
    ingests = {}
    for case in SUCCESSES:
        result = ingest(FILES / case["file"], case, landing, database)
        assert result.returncode == 0, f"{case['file']}: {result.stderr}"
        ingests[case["file"]] = result
    build = Build(landing, database, work / "target")
    run_dbt(
        build,
        "build",
        "--select",
        *SELECTION,
        "--indirect-selection",
        "cautious",
        vars_=json.dumps({"as_of_date": MANIFEST["as_of_date"]}),
    )
    assert build.returncode == 0, build.output[-5000:]
    return CorpusBuild(build, ingests)


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize("case", ERRORS, ids=[case["file"] for case in ERRORS])
def test_a_structural_error_stops_ingest_and_changes_nothing(
    corpus_build: CorpusBuild, case: dict, tmp_path: Path
) -> None:
    build = corpus_build.build
    # named like the landed demo file, so a write that was not atomic would replace it
    path = tmp_path / f"{LANDED_STEM}{Path(case['file']).suffix}"
    shutil.copyfile(FILES / case["file"], path)
    assert (build.landing / case["entity"] / f"{LANDED_STEM}.parquet").is_file()
    before = hashes(build.landing, build.database)

    result = ingest(path, case, build.landing, build.database)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if "error:" in line.lower()]
    assert len(errors) == 1, result.stderr
    [message] = errors
    assert message.startswith(f"customer360 ingest: error: {path}: "), message
    for fragment in case["error"]["message"]:
        assert fragment in message
    if "line" in case["error"]:
        assert f"line {case['error']['line']}" in message
    assert hashes(build.landing, build.database) == before


# ---------------------------------------------------------------- successes


@pytest.mark.parametrize("case", SUCCESSES, ids=[case["file"] for case in SUCCESSES])
def test_every_landed_row_has_the_expected_outcome(corpus_build: CorpusBuild, case: dict) -> None:
    assert outcomes(corpus_build.build, case) == expected_rows(case)


@pytest.mark.parametrize("case", SUCCESSES, ids=[case["file"] for case in SUCCESSES])
def test_the_ingest_report_predicted_what_staging_did(
    corpus_build: CorpusBuild, case: dict
) -> None:
    report = corpus_build.ingests[case["file"]].stdout
    actual: dict[str, dict[str, int]] = {}
    for entity, rows in outcomes(corpus_build.build, case).items():
        for outcome in rows.values():
            actual.setdefault(entity, {}).setdefault(outcome, 0)
            actual[entity][outcome] += 1
    assert predicted_counts(report) == actual
    for fragment in case.get("stdout", []):
        assert fragment in report


@pytest.mark.parametrize("case", SUCCESSES, ids=[case["file"] for case in SUCCESSES])
def test_no_record_of_the_file_is_lost(case: dict) -> None:
    """The manifest accounts for every record of the file (read independently), so the
    row-by-row outcomes above cover the whole file."""
    entity = "order_items" if case["entity"] == "transactions" else case["entity"]
    assert len(case["rows"][entity]) == len(file_records(case))


@pytest.mark.parametrize(
    "case", [c for c in SUCCESSES if "values" in c], ids=lambda case: case["file"]
)
def test_staged_values(corpus_build: CorpusBuild, case: dict) -> None:
    for value in case["values"]:
        rows = corpus_build.build.query(
            f"select cast({value['column']} as varchar) from staging.base_{value['entity']} "
            f"where _source_file = '{source_file(case)}' and _source_row = {value['row']}"
        )
        assert rows == [(value["equals"],)], value


@pytest.mark.parametrize(
    "case", [c for c in SUCCESSES if "same_as_file" in c], ids=lambda case: case["file"]
)
def test_text_comes_through_staging_unchanged(corpus_build: CorpusBuild, case: dict) -> None:
    spec = case["same_as_file"]
    columns = ", ".join(spec["columns"])
    for record in file_records(case):
        key = record[spec["key"]].replace("'", "''")
        staged = corpus_build.build.query(
            f"select {columns} from staging.stg_{spec['entity']} where {spec['key']} = '{key}'"
        )
        # staging keeps text as it is, except that a blank value is null
        assert staged == [tuple(record[column] or None for column in spec["columns"])], key


@pytest.mark.parametrize(
    "case", [c for c in SUCCESSES if "queries" in c], ids=lambda case: case["file"]
)
def test_warehouse_checks(corpus_build: CorpusBuild, case: dict) -> None:
    for check in case["queries"]:
        assert corpus_build.build.query(check["sql"]) == [tuple(r) for r in check["equals"]]


def test_landed_equals_staged_plus_duplicates_plus_rejected(corpus_build: CorpusBuild) -> None:
    build = corpus_build.build
    reconciliation = build.query(
        "select entity, landed_rows, staged_rows + duplicate_rows + rejected_rows, is_reconciled "
        "from marts.landing_reconciliation"
    )
    assert {entity for entity, *_ in reconciliation} == set(contract.load())
    for entity, landed, accounted, reconciled in reconciliation:
        # landed counted independently, from the files in the landing zone
        [(files_rows,)] = build.query(
            f"select count(*) from read_parquet('{build.landing}/{entity}/*.parquet')"
        )
        assert (landed, accounted, reconciled) == (files_rows, files_rows, True), entity
    # every corpus row is among them, with its outcome
    expected = sum(len(rows) for case in SUCCESSES for rows in case["rows"].values())
    [(found,)] = build.query(
        "select count(*) from ("
        + " union all ".join(
            f"select _source_file from staging.base_{entity}" for entity in contract.load()
        )
        + f") where _source_file like '{FILES.resolve()}/%'"
    )
    assert found == expected


def readme_table() -> str:
    """The README's table of cases, from the manifest (print it with
    `.venv/bin/python -m tests.integration.test_corpus`)."""
    lines = ["| file | covers | `--entity` | outcome |", "|---|---|---|---|"]
    for case in MANIFEST["cases"]:
        entity = case["entity"] + (f" `{' '.join(case['args'])}`" if "args" in case else "")
        if "error" in case:
            error = case["error"]
            where = f" (line {error['line']})" if "line" in error else ""
            fragments = " … ".join(f"`{fragment}`" for fragment in error["message"])
            outcome = f"**exit 1**{where}: {fragments}; landing zone and warehouse byte-identical"
        else:
            parts = []
            for name, rows in expected_rows(case).items():
                counts = Counter(rows.values())
                staged, duplicates = counts.pop("staged", 0), counts.pop("duplicate", 0)
                part = (
                    f"{name}: {staged} staged, {duplicates} duplicate, "
                    f"{sum(counts.values())} rejected"
                )
                if others := [f"{row}: `{o}`" for row, o in rows.items() if o != "staged"]:
                    part += f" (rows {', '.join(others)})"
                parts.append(part)
            outcome = "; ".join(parts)
        covers = case["covers"].replace("|", "\\|")
        lines.append(f"| `{case['file']}` | {covers} | {entity} | {outcome} |")
    return "\n".join(lines) + "\n"


def test_the_readme_table_is_the_manifest() -> None:
    readme = (CORPUS / "README.md").read_text(encoding="utf-8")
    assert readme_table() in readme, "regenerate it: python -m tests.integration.test_corpus"
    listed = re.findall(r"^\| `([^`]+)` \|", readme, flags=re.MULTILINE)
    assert sorted(listed) == sorted(path.name for path in FILES.iterdir())


if __name__ == "__main__":
    print(readme_table(), end="")
