"""`customer360 dashboard`: render the static HTML dashboards from the serving copy.

Each page is a Jinja template in `dashboards/templates/` fed by the small aggregate
queries in `dashboards/queries/<page>/<name>.sql`, which run read-only against the serving
copy `customer360.duckdb` (never the private build file); definitions several queries
share are temporary views made from `dashboards/queries/_views/`. A query's rows reach its
template as `q.<name>`, a list of dicts with plain JSON values. Queries may use the
parameters `$max_list_rows` and `$validation_results` (the Parquet file written by
`customer360 validate`; a query that needs it is skipped, giving None, while it is absent).

Pages are self-contained: Plotly's JavaScript is inlined once per page, so they work
offline and can be e-mailed. Nothing personal is embedded (no names, e-mails or phones),
the same serving copy gives byte-identical files, and the folder is replaced as a whole:
the pages are written into a temporary sibling folder that then takes its place.
"""

from __future__ import annotations

import argparse
import datetime as dt
import decimal
import math
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import jinja2
from plotly.offline import get_plotlyjs

from customer360.errors import UserError
from customer360.export import FORMULA_STARTS, neutralise
from customer360.project import project_dir, setting_path
from customer360.serving import current, default_serving_dir


@dataclass(frozen=True)
class Page:
    name: str
    file: str
    title: str


PAGES = (
    Page("overview", "index.html", "Overview"),
    Page("segments", "segments.html", "Segments"),
    Page("churn", "churn.html", "Churn"),
    Page("roi", "roi.html", "ROI & campaigns"),
    Page("products", "products.html", "Products"),
    Page("devices", "devices.html", "Devices"),
    Page("quality", "quality.html", "Data quality"),
)


def default_out_dir() -> Path:
    return setting_path("C360_DASHBOARD_DIR")


def dashboards_dir() -> Path:
    return project_dir() / "dashboards"


def plain(value: object) -> object:
    """A query value as a JSON-friendly one (decimals as floats, dates as ISO text)."""
    if isinstance(value, decimal.Decimal):
        value = float(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


MISSING = "\u2013"  # an en dash for a missing figure


# ---- formatting filters: every number on a page goes through one of these ----
def fmt_number(value: object, digits: int = 0) -> str:
    if value is None:
        return MISSING
    return f"{float(value):,.{digits}f}"


def fmt_pct(ratio: object, digits: int = 1) -> str:
    if ratio is None:
        return MISSING
    return f"{float(ratio) * 100:,.{digits}f} %"


def columnar(rows: list[dict] | None, neutralised: bool = False) -> dict:
    """Rows as {"columns": [...], "rows": [[...]]}: compact for long embedded lists.
    With neutralised=True, text cells a spreadsheet would run as formulas get a `'`."""
    rows = rows or []
    columns = list(rows[0]) if rows else []
    values = [
        [neutralise(row[column]) if neutralised else row[column] for column in columns]
        for row in rows
    ]
    return {"columns": columns, "rows": values}


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(dashboards_dir() / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["num"] = fmt_number
    env.filters["pct"] = fmt_pct
    env.filters["columnar"] = columnar
    env.tests["startingwith"] = lambda value, prefix: str(value).startswith(prefix)
    return env


def run_queries(
    connection: duckdb.DuckDBPyConnection, page: str, params: dict[str, object]
) -> dict[str, list[dict] | None]:
    results: dict[str, list[dict] | None] = {}
    for path in sorted((dashboards_dir() / "queries" / page).glob("*.sql")):
        sql = path.read_text()
        used = {name: value for name, value in params.items() if f"${name}" in sql}
        if any(value is None for value in used.values()):
            results[path.stem] = None  # an optional input is absent
            continue
        try:
            cursor = connection.execute(sql, used)
            columns = [column[0] for column in cursor.description]
            rows = cursor.fetchall()
        except duckdb.CatalogException as error:
            raise UserError(
                f"the serving copy lacks a table that dashboards/queries/{page}/{path.name} "
                f"reads ({error}); rebuild and republish it with `make run`"
            ) from error
        results[path.stem] = [
            dict(zip(columns, (plain(value) for value in row), strict=True)) for row in rows
        ]
    return results


def create_shared_views(connection: duckdb.DuckDBPyConnection) -> None:
    """Definitions several pages' queries share (dashboards/queries/_views/<name>.sql),
    as temporary views: they live in the connection only, so the serving copy stays
    read-only and untouched."""
    for path in sorted((dashboards_dir() / "queries" / "_views").glob("*.sql")):
        connection.execute(f"create temporary view {path.stem} as {path.read_text()}")


def render(
    serving_dir: Path, quality_dir: Path, out: Path, max_list_rows: int = 20000
) -> list[Path]:
    """Write every page into `out` (replacing it); return the files written."""
    database = current(serving_dir).database  # one version for every page
    if max_list_rows < 1:
        raise UserError("--max-list-rows must be at least 1")
    validation = quality_dir / "validation_results.parquet"
    params: dict[str, object] = {
        "max_list_rows": max_list_rows,
        "validation_results": str(validation) if validation.is_file() else None,
    }
    try:
        connection = duckdb.connect(str(database), read_only=True)
    except duckdb.Error as error:
        raise UserError(f"{database}: cannot open the serving copy: {error}") from error
    env = environment()
    common = {
        "pages": PAGES,
        "plotly_js": get_plotlyjs(),
        "formula_starts": list(FORMULA_STARTS),
        "max_list_rows": max_list_rows,
        "data_docs_href": os.path.relpath(
            (quality_dir / "data_docs" / "index.html").resolve(), out.resolve()
        ),
        "has_validation": params["validation_results"] is not None,
    }
    try:
        [(as_of_date,)] = connection.execute("select as_of_date from main.publish_info").fetchall()
        create_shared_views(connection)
        rendered = {}
        for page in PAGES:
            q = run_queries(connection, page.name, params)
            html = env.get_template(f"{page.name}.html.j2").render(
                page=page, q=q, as_of_date=plain(as_of_date), **common
            )
            rendered[page.file] = html
    except duckdb.CatalogException as error:
        raise UserError(f"{database}: not a published serving copy ({error})") from error
    finally:
        connection.close()
    return write_atomically(out, rendered)


def write_atomically(out: Path, files: dict[str, str]) -> list[Path]:
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary = out.parent / f".{out.name}.{os.getpid()}.tmp"
    previous = out.parent / f".{out.name}.{os.getpid()}.old"
    for leftover in (temporary, previous):
        shutil.rmtree(leftover, ignore_errors=True)
    temporary.mkdir()
    try:
        for name, html in files.items():
            (temporary / name).write_text(html, encoding="utf-8")
        if out.exists():
            out.rename(previous)
        temporary.rename(out)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)
        shutil.rmtree(previous, ignore_errors=True)
    return [out / name for name in files]


def main(args: argparse.Namespace) -> int:
    serving_dir = Path(args.serving_dir) if args.serving_dir else default_serving_dir()
    quality_dir = Path(args.quality_dir) if args.quality_dir else setting_path("C360_QUALITY_DIR")
    out = Path(args.out) if args.out else default_out_dir()
    if not args.quiet:
        print(
            f"rendering dashboards from {serving_dir / 'customer360.duckdb'} ...",
            file=sys.stderr,
            flush=True,
        )
    written = render(serving_dir, quality_dir, out, args.max_list_rows)
    for path in written:
        print(f"wrote {path}")
    print(f"open {written[0]}")
    return 0
