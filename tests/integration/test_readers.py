"""The reader contract (README, "Reading the serving copy"), tested as BI tools read: a
SQLAlchemy pool through duckdb-engine on the stable path, and a notebook's connection.

- a connection opened after a publish reads the new version, even while connections of
  the old one are open in the same process;
- an open connection keeps the version it opened, whole, for the grace period;
- in one process, a version file is opened with one configuration: a pool (duckdb-engine
  passes its own settings) and a plain `duckdb.connect` cannot share it;
- a pool sees a publish after the documented step: `serving.follow_publishes(engine)`
  (at the next checkout), `pool_recycle` (once a connection is older), or
  `engine.dispose()`.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
import sqlalchemy
from sqlalchemy import text

from customer360 import publish, serving
from tests.helpers import Build, run_cli

pytestmark = pytest.mark.integration


def version_of(connection) -> str:
    return connection.execute(text("select version from publish_info")).scalar_one()


@pytest.fixture
def published(demo_build: Build, tmp_path: Path):
    """A serving folder with one version, and a function that publishes the next one."""
    serving_dir = tmp_path / "serving"
    manifest = demo_build.target / "manifest.json"

    def publish_next() -> str:
        publish.publish(demo_build.database, serving_dir, manifest)
        return serving.current(serving_dir).name

    publish_next()
    return serving_dir, publish_next


def pool(serving_dir: Path, **options) -> sqlalchemy.Engine:
    return sqlalchemy.create_engine(
        f"duckdb:///{serving_dir / serving.DATABASE}",
        connect_args={"read_only": True},
        pool_size=1,
        max_overflow=1,
        **options,
    )


def test_a_connection_opened_after_a_publish_reads_it_while_old_ones_stay_open(
    published,
) -> None:
    serving_dir, publish_next = published
    first = serving.current(serving_dir).name
    engine = pool(serving_dir)
    held = engine.connect()  # a dashboard's long session, never returned
    assert version_of(held) == first
    second = publish_next()
    with engine.connect() as fresh:  # a new DBAPI connection: the pool's other slot
        assert version_of(fresh) == second
    assert version_of(held) == first  # the old one keeps its version for the grace period
    held.close()
    engine.dispose()


def test_a_notebook_reconnecting_reads_the_new_publish_while_its_old_connection_is_open(
    published,
) -> None:
    serving_dir, publish_next = published
    first = serving.current(serving_dir).name
    query = "select (select version from publish_info), count(*) from marts.customer_360"
    notebook = duckdb.connect(str(serving_dir / serving.DATABASE), read_only=True)
    [(seen, customers)] = notebook.execute(query).fetchall()
    assert seen == first
    second = publish_next()
    again = duckdb.connect(str(serving_dir / serving.DATABASE), read_only=True)
    assert again.execute(query).fetchall() == [(second, customers)]
    assert notebook.execute(query).fetchall() == [(first, customers)]
    notebook.close()
    again.close()


def test_a_pool_that_keeps_its_connections_follows_publishes_after_the_documented_step(
    published,
) -> None:
    serving_dir, publish_next = published
    first = serving.current(serving_dir).name
    plain = pool(serving_dir)
    following = pool(serving_dir)
    serving.follow_publishes(following, serving_dir)
    recycled = pool(serving_dir, pool_recycle=1)
    for engine in (plain, following, recycled):
        with engine.connect() as connection:
            assert version_of(connection) == first  # now pooled, open, on the first version
    second = publish_next()
    # without a step, the pooled connection is reused and keeps the replaced version
    with plain.connect() as connection:
        assert version_of(connection) == first
    # follow_publishes: the next checkout reopens it on the new version
    with following.connect() as connection:
        assert version_of(connection) == second
    # pool_recycle: once the pooled connection is older than the recycle time
    time.sleep(1.2)
    with recycled.connect() as connection:
        assert version_of(connection) == second
    # engine.dispose(): after a publish, the next checkout opens the new version
    plain.dispose()
    with plain.connect() as connection:
        assert version_of(connection) == second
    for engine in (plain, following, recycled):
        engine.dispose()


HOLD_WRITE_LOCK = """
import sys, time, duckdb
connection = duckdb.connect(sys.argv[1])  # what dbt does for a whole build
print("holding", flush=True)
time.sleep(300)
"""


def test_export_validate_and_dashboard_work_while_a_build_holds_the_build_file(
    demo_build: Build, tmp_path: Path
) -> None:
    build_file = tmp_path / "build.duckdb"
    shutil.copyfile(demo_build.database, build_file)
    serving_dir = tmp_path / "serving"
    publish.publish(build_file, serving_dir, demo_build.target / "manifest.json")
    [(segment, contacts)] = demo_build.query(
        "select rfm_segment, count(*) from exports.crm_contacts group by all "
        "order by count(*) desc, rfm_segment limit 1"
    )
    writer = subprocess.Popen(
        [sys.executable, "-c", HOLD_WRITE_LOCK, str(build_file)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert writer.stdout.readline().strip() == "holding"
        with pytest.raises(duckdb.IOException, match="lock"):
            duckdb.connect(str(build_file), read_only=True)  # the build file is busy
        out = tmp_path / "list.csv"
        exported = run_cli(
            "export", "--segment", segment, "--serving-dir", str(serving_dir), "--out", str(out)
        )
        assert exported.returncode == 0, exported.stderr
        with out.open(newline="") as handle:
            assert len(list(csv.DictReader(handle))) == contacts
        quality = tmp_path / "quality"
        validated = run_cli(
            "validate",
            "--serving-dir",
            str(serving_dir),
            "--landing-dir",
            str(demo_build.landing),
            "--out",
            str(quality),
            "--quiet",
        )
        assert validated.returncode == 0, validated.stderr[-2000:]
        rendered = run_cli(
            "dashboard",
            "--serving-dir",
            str(serving_dir),
            "--quality-dir",
            str(quality),
            "--out",
            str(tmp_path / "pages"),
            "--quiet",
        )
        assert rendered.returncode == 0, rendered.stderr[-2000:]
        assert (tmp_path / "pages" / "index.html").is_file()
    finally:
        writer.kill()
        writer.wait()
