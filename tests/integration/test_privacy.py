"""No personal data where BI reads: the serving copy (every table of every schema, and the
comments), its Parquet files, the rendered dashboards and every file `customer360
validate` writes (results table and Parquet, Data Docs) hold none of the landed e-mails,
phones and names, nor their plain MD5 / SHA-1 / SHA-256 hex hashes (of the value and of
its trimmed, lower-cased form).

One build of the demo landing (1,500 customers) plus a file of customers that staging
rejects (missing key, unparseable dates, a conflicting copy of a demo customer), so
`rejected_rows` has personal values to hide, and a file of accepted customers with a
malformed e-mail, a phone with letters and a birth date before 1900, so validate's checks
of personal columns fail (and would show the values). The personal values are read independently,
from the landing files, and matched in Python: every text is lower-cased, its JSON and
HTML escapes undone and cut into tokens; a token that starts a personal value (or is a
hash) is confirmed by a substring match. The build has a widget-key secret, checked
against Python's `hmac` and looked for in everything dbt writes.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import re
import shutil
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

import duckdb
import pytest
from plotly.offline import get_plotlyjs

from customer360 import contract, dashboard, publish
from customer360.quality import validate
from customer360.widget_key import SECRET_ENV_VAR
from tests.helpers import Build, run_dbt

pytestmark = pytest.mark.integration

SECRET = "test-widget-secret-7f3a9c"
PERSONAL = ("email", "full_name", "phone")
TOKEN = re.compile(r"[\w@.+'-]+")
HEX_RUN = re.compile(r"[0-9a-f]{32,}")
HASH_LENGTHS = (32, 40, 64)  # MD5, SHA-1, SHA-256 in hex
# rejected by staging, each with personal values; {first} is a demo customer with all three
REJECTS = """\
customer_id,email,full_name,phone,city,country,signup_date,birth_date
,no.key@example.org,Nokey Person,+44 7700 900001,London,UK,2024-01-01,1980-01-01
REJ-2,bad.signup@example.org,Badsignup Person,+44 7700 900002,Paris,FR,not a date,1981-02-02
REJ-3,bad.birth@example.org,Badbirth Person,+44 7700 900003,Rome,IT,2024-01-01,31/12/1980
{first},conflicting.copy@example.org,Conflicting Copy,+44 7700 900004,Oslo,NO,2024-01-01,
"""
# accepted by staging, with personal values that fail validate's checks: a malformed
# e-mail, a phone with letters, a birth date before 1900 (and REJ-3's that does not parse)
ODD_CONTACTS = """\
customer_id,email,full_name,phone,city,country,signup_date,birth_date
ODD-1,not-an-email@,Oddmail Person,call me maybe,Lisbon,PT,2024-01-01,1850-06-01
ODD-2,@no-local-part.example,Oddphone Person,+44 77OO 9OO OOS ext. five,Madrid,ES,2024-01-01,
"""
ODD_DATES = ("31/12/1980", "1850-06-01")
MARKER = "(personal, see staging.base_customers)"


@pytest.fixture(scope="module")
def private_build(demo_landing: Path, tmp_path_factory: pytest.TempPathFactory) -> Build:
    work = tmp_path_factory.mktemp("privacy")
    landing = work / "landing"
    shutil.copytree(demo_landing, landing)
    [(first,)] = duckdb.sql(
        f"select min(customer_id) from '{landing}/customers/*.parquet' "
        "where email is not null and full_name is not null and phone is not null"
    ).fetchall()
    (landing / "customers" / "rejects.csv").write_text(REJECTS.format(first=first))
    (landing / "customers" / "odd_contacts.csv").write_text(ODD_CONTACTS)
    build = Build(landing, work / "warehouse.duckdb", work / "target")
    run_dbt(build, "build", env={SECRET_ENV_VAR: SECRET, "DBT_LOG_PATH": str(work / "logs")})
    assert build.returncode == 0, build.output[-5000:]
    return build


@pytest.fixture(scope="module")
def served(private_build: Build, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The serving copy, the validation results and the dashboards of the build."""
    work = tmp_path_factory.mktemp("privacy_served")
    serving, quality, pages = work / "serving", work / "quality", work / "dashboards"
    publish.publish(private_build.database, serving, private_build.target / "manifest.json")
    validate.validate(serving, private_build.landing, quality, {}, quiet=True)
    dashboard.render(serving, quality, pages)
    return {"serving": serving, "quality": quality, "pages": pages}


@pytest.fixture(scope="module")
def landed_personal(private_build: Build) -> set[str]:
    """Every landed e-mail, phone and name (the demo's and the rejects'), as landed and
    trimmed and lower-cased, read from the files, not from the warehouse."""
    folder = private_build.landing / "customers"
    rows = duckdb.sql(
        f"select {', '.join(PERSONAL)} from '{folder}/*.parquet' union all "
        f"select {', '.join(PERSONAL)} from read_csv('{folder}/*.csv', all_varchar = true)"
    ).fetchall()
    values = {value for row in rows for value in row if value and value.strip()}
    return values | {value.strip().lower() for value in values}


def hashes(values: Iterable[str]) -> set[str]:
    return {
        algorithm(text.encode("utf-8")).hexdigest()
        for value in values
        for text in (value, value.strip().lower())
        for algorithm in (hashlib.md5, hashlib.sha1, hashlib.sha256)
    }


class Finder:
    """Finds any of many needles in texts: indexed by their first token, confirmed by a
    substring match of the lower-cased text, plus every 32/40/64-hex window; and a few
    literals anywhere (a date is one token of `1850-06-01T00:00:00`)."""

    def __init__(self, needles: set[str], literals: Iterable[str] = ()) -> None:
        self.needles = {needle.lower() for needle in needles}
        self.literals = {literal.lower() for literal in literals}
        self.by_first_token: dict[str, set[str]] = defaultdict(set)
        for needle in self.needles:
            tokens = TOKEN.findall(needle)
            if tokens:
                self.by_first_token[tokens[0]].add(needle)

    def find(self, text: str) -> set[str]:
        text = html.unescape(
            re.sub(r"\\u([0-9a-fA-F]{4})", lambda match: chr(int(match[1], 16)), text)
        ).lower()
        found = {literal for literal in self.literals if literal in text}
        for token in set(TOKEN.findall(text)):
            found |= {needle for needle in self.by_first_token.get(token, ()) if needle in text}
        for run in HEX_RUN.findall(text):
            for length in HASH_LENGTHS:
                windows = {run[start : start + length] for start in range(len(run) - length + 1)}
                found |= windows & self.needles
        return found


@pytest.fixture(scope="module")
def finder(landed_personal: set[str]) -> Finder:
    return Finder(landed_personal | hashes(landed_personal), literals=ODD_DATES)


def text_values(connection: duckdb.DuckDBPyConnection, relation: str) -> set[str]:
    """Every distinct non-null value of every column of a relation, as text."""
    columns = connection.execute(f"describe select * from {relation}").fetchall()
    casts = ", ".join(f'cast("{column[0]}" as varchar)' for column in columns)
    rows = connection.execute(
        f"select distinct value from (select unnest([{casts}]) as value from {relation}) "
        "where value is not null"
    ).fetchall()
    return {value for (value,) in rows}


def test_the_finder_finds_values_hashes_and_escaped_text(landed_personal, finder) -> None:
    name = next(value for value in landed_personal if " " in value and not value.isascii())
    email = next(value for value in landed_personal if "@" in value)
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    page = f"<td>{html.escape(name)}</td> DATA: {json.dumps({'x': name})} key_{digest}x"
    assert finder.find(page) == {name.lower(), digest}
    assert finder.find(f'{{"email":"{email}"}}') == {email.lower()}
    assert finder.find("Champions at-risk 2024-01-01 0.5") == set()


def test_the_serving_copy_has_no_personal_data_or_plain_hashes(served, finder) -> None:
    leaks: dict[str, set[str]] = {}
    scanned = 0
    with duckdb.connect(str(served["serving"] / "customer360.duckdb"), read_only=True) as db:
        tables = db.execute(
            "select schema_name, table_name from duckdb_tables() order by all"
        ).fetchall()
        comments = db.execute(
            "select comment from duckdb_tables() union all select comment from duckdb_columns()"
        ).fetchall()
        for schema, table in tables:
            values = text_values(db, f'"{schema}"."{table}"')
            scanned += len(values)
            leaks[f"{schema}.{table}"] = {hit for value in values for hit in finder.find(value)}
    leaks["comments"] = {hit for (text,) in comments if text for hit in finder.find(text)}
    print(f"serving copy: {len(tables)} tables, {scanned:,} distinct texts scanned")
    assert {"marts", "ml", "main"} <= {schema for schema, _ in tables}
    assert {name: hits for name, hits in leaks.items() if hits} == {}


def test_the_parquet_files_have_no_personal_data_or_plain_hashes(served, finder) -> None:
    files = sorted((served["serving"] / "parquet").rglob("*.parquet"))
    assert len(files) > 20
    leaks = {}
    with duckdb.connect() as connection:
        for file in files:
            values = text_values(connection, f"read_parquet('{file}')")
            leaks[file.name] = {hit for value in values for hit in finder.find(value)}
    assert {name: hits for name, hits in leaks.items() if hits} == {}


def test_the_dashboards_have_no_personal_data_or_plain_hashes(served, finder) -> None:
    pages = sorted(served["pages"].glob("*.html"))
    assert len(pages) == 7
    plotly = get_plotlyjs()
    leaks = {
        page.name: finder.find(page.read_text(encoding="utf-8").replace(plotly, ""))
        for page in pages
    }
    assert {name: hits for name, hits in leaks.items() if hits} == {}


def file_texts(file: Path) -> set[str]:
    """The texts of a file validate writes: every value of every table of a DuckDB file,
    of a Parquet file, or the whole file (Data Docs HTML, JSON, CSS, JS, images)."""
    if file.suffix == ".duckdb":
        with duckdb.connect(str(file), read_only=True) as connection:
            tables = connection.execute("select table_name from duckdb_tables()").fetchall()
            return {value for (table,) in tables for value in text_values(connection, table)}
    if file.suffix == ".parquet":
        with duckdb.connect() as connection:
            return text_values(connection, f"read_parquet('{file}')")
    return {file.read_bytes().decode("utf-8", errors="replace")}


def test_the_validation_outputs_have_no_personal_data_or_plain_hashes(served, finder) -> None:
    quality = served["quality"]
    files = sorted(path for path in quality.rglob("*") if path.is_file())
    names = {str(path.relative_to(quality)) for path in files}
    assert {"validation.duckdb", "validation_results.parquet", "data_docs/index.html"} <= names
    assert any(name.startswith("data_docs/validations/") for name in names)
    leaks = {
        str(path.relative_to(quality)): {
            hit for text in file_texts(path) for hit in finder.find(text)
        }
        for path in files
    }
    print(f"quality: {len(files)} files scanned")
    assert {name: hits for name, hits in leaks.items() if hits} == {}


def test_failed_checks_of_personal_columns_keep_counts_and_a_marker(served) -> None:
    assert contract.personal_marker("customers") == MARKER  # rejected_rows' marker
    rows = duckdb.sql(
        "select expectation, observed_value, unexpected_count, details "
        f"from read_parquet('{served['quality'] / 'validation_results.parquet'}') "
        "where table_name = 'customers' and column_name = 'birth_date' and not success "
        "order by expectation"
    ).fetchall()
    assert [(name, count) for name, _, count, _ in rows] == [
        ("birth_date_between_1900_and_2100", 1),
        ("birth_date_parses_as_date", 1),
    ]
    for _, observed, count, details in rows:
        hidden = f"values not shown {MARKER}"
        assert re.fullmatch(rf"{count} unexpected of \d+: {re.escape(hidden)}", observed)
        assert details.endswith(f"; {hidden}")


def test_rejected_customers_show_a_marker_and_staging_keeps_the_values(
    private_build, served
) -> None:
    with duckdb.connect(str(served["serving"] / "customer360.duckdb"), read_only=True) as db:
        rejects = db.execute(
            "select reject_reason, raw_values from marts.rejected_rows "
            "where entity = 'customers' order by source_file, source_row"
        ).fetchall()
    reasons = sorted(reason for reason, _ in rejects)
    assert reasons == [
        "duplicate_conflict",
        "duplicate_conflict",
        "missing_key",
        "unparseable:birth_date",
        "unparseable:signup_date",
    ]
    for _, raw in rejects:
        values = json.loads(raw)
        assert list(values) == [
            "customer_id",
            "email",
            "full_name",
            "phone",
            "city",
            "country",
            "signup_date",
            "birth_date",
        ]
        assert values["email"] == values["full_name"] == values["phone"] == MARKER
    by_reason = {reason: json.loads(raw) for reason, raw in rejects}
    assert by_reason["unparseable:signup_date"]["signup_date"] == "not a date"
    assert by_reason["unparseable:birth_date"]["birth_date"] == MARKER
    assert by_reason["missing_key"]["city"] == "London"
    [(private,)] = private_build.query(
        "select raw_values from staging.base_customers where reject_reason = 'missing_key'"
    )
    assert json.loads(private)["email"] == "no.key@example.org"


def test_the_widget_key_is_the_keyed_hash_and_the_secret_is_nowhere(private_build) -> None:
    rows = private_build.query(
        "select offers.widget_lookup_key, contacts.email from marts.retention_offers as offers "
        "left join staging.stg_customers as contacts using (customer_id)"
    )
    expected = {
        email: hmac.new(SECRET.encode(), email.strip().lower().encode(), "sha256").hexdigest()
        for _, email in rows
        if email
    }
    assert len(expected) > 1000
    assert all(key == expected.get(email) for key, email in rows)  # null without an e-mail
    written = [private_build.database, *private_build.target.rglob("*")]
    written += [*(private_build.database.parent / "logs").rglob("*")]
    files = [path for path in written if path.is_file()]
    assert any(path.name == "manifest.json" for path in files)
    assert any(path.name == "dbt.log" for path in files)
    assert [path for path in files if SECRET.encode() in path.read_bytes()] == []
    assert SECRET not in private_build.output


def test_without_the_secret_the_widget_key_is_null(demo_build) -> None:
    [(keys, offers)] = demo_build.query(
        "select count(widget_lookup_key), count(*) from marts.retention_offers"
    )
    assert keys == 0
    assert offers > 1000
