"""Publishing: one version behind one pointer, readers that never fail or mix builds, a
grace period for replaced versions, and publishes killed at any point.

A publish is killed through the test hook C360_FAULT=publish:<point> (customer360.errors.
die_at: os._exit(9), no cleanup, as if killed by a signal).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from customer360 import publish, serving
from tests.helpers import BIN_DIR, PROJECT_DIR, Build, parquet_digests, run_dbt

pytestmark = pytest.mark.integration

# One pass: resolve the pointer once, then read the DuckDB file and a Parquet file of that
# version; both must be one build. A second reader resolves the Parquet folder only once,
# at its start, and keeps reading it (a reader slower than a publish).
READER = """
import json, os, sys, time, duckdb
from pathlib import Path
serving, stop, out = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
pinned = os.path.realpath(serving / "parquet")
queries, errors, builds, inconsistent = 0, [], set(), 0
while not stop.exists():
    try:
        version = os.path.realpath(serving / "current")
        with duckdb.connect(f"{version}/customer360.duckdb", read_only=True) as connection:
            [(as_of, runs_as_of, customers, metrics, parquet, pinned_rows)] = connection.execute(
                "select (select as_of_date from publish_info),"
                " (select max(as_of_date) from ml.churn_model_runs where is_current),"
                " (select count(*) from marts.customer_360),"
                " (select count(*) from marts.customer_metrics),"
                f" (select count(*) from '{version}/parquet/marts/customer_360.parquet'),"
                f" (select count(*) from '{pinned}/marts/customer_metrics.parquet')"
            ).fetchall()
        queries += 1
        builds.add(str(as_of))
        inconsistent += (as_of != runs_as_of) or not (customers == metrics == parquet)
    except Exception as error:
        errors.append(repr(error))
    time.sleep(0.01)
Path(out).write_text(json.dumps({"queries": queries, "errors": errors,
                                 "builds": sorted(builds), "inconsistent": inconsistent}))
"""


def own_copy(build: Build, tmp_path: Path) -> Path:
    """A copy of the demo build file (its build record travels with it)."""
    build_file = tmp_path / "build.duckdb"
    shutil.copy(build.database, build_file)
    return build_file


def leftovers(serving_dir: Path) -> list[str]:
    """What no reader needs: staging folders, temporary links, versions that never became
    current (no retired marker), export copies without their version."""
    current = serving.current(serving_dir).folder
    found = [str(path) for path in serving_dir.glob(".*.tmp")]
    versions = sorted((serving_dir / serving.VERSIONS).iterdir())
    found += [
        str(folder)
        for folder in versions
        if folder != current and not (folder / publish.RETIRED_MARKER).is_file()
    ]
    private = serving.private_dir(serving_dir)
    found += [str(f) for f in private.iterdir() if f.name not in {v.name for v in versions}]
    return found


def run_publish(build_file: Path, serving_dir: Path, manifest: Path, fault: str = "", *extra):
    env = {key: value for key, value in os.environ.items() if key != "C360_FAULT"}
    if fault:
        env["C360_FAULT"] = f"publish:{fault}"
    return subprocess.run(
        [
            str(BIN_DIR / "customer360"),
            "publish",
            "--build-file",
            str(build_file),
            "--serving-dir",
            str(serving_dir),
            "--manifest",
            str(manifest),
            *extra,
        ],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def reads(serving_dir: Path) -> tuple:
    """What a reader of the stable paths sees: the version, its build's rows in DuckDB and
    in Parquet."""
    with duckdb.connect(str(serving_dir / serving.DATABASE), read_only=True) as connection:
        return connection.execute(
            "select (select version from publish_info), "
            "(select count(*) from marts.customer_360), (select count(*) from "
            f"'{serving_dir / serving.PARQUET / 'marts' / 'customer_360.parquet'}')"
        ).fetchall()[0]


def test_a_publish_is_one_version_behind_one_pointer(demo_build: Build, tmp_path: Path) -> None:
    serving_dir = tmp_path / "serving"
    rows = publish.publish(demo_build.database, serving_dir, demo_build.target / "manifest.json")
    version = serving.current(serving_dir)
    assert (serving_dir / "current").is_symlink()
    for stable in (serving.DATABASE, serving.PARQUET, serving.MANIFEST):
        assert (serving_dir / stable).resolve() == version.folder / stable
    [(as_of, customers)] = demo_build.query(
        "select (select as_of_date from intermediate.int_as_of_date), "
        "(select count(*) from marts.customer_360)"
    )
    # the build published is the file's last recorded build (other tests may rebuild the
    # demo file after the fixture; test_build_state ties the record to dbt's invocation id)
    [(last_build,)] = demo_build.query(
        "select build_id from ops.build_runs order by run_sequence desc limit 1"
    )
    assert version.manifest["build_id"] == last_build
    assert version.manifest["as_of_date"] == str(as_of)
    assert (
        version.manifest["tables"]["marts.customer_360"]["rows"]
        == customers
        == rows["marts.customer_360"]
    )
    for table, entry in version.manifest["tables"].items():
        assert pq.read_metadata(version.folder / entry["parquet"]).num_rows == entry["rows"], table
    assert reads(serving_dir) == (version.name, customers, customers)
    # the contact list is published too, but beside the serving folder, not in it
    contacts = version.exports_file(serving_dir)
    assert serving_dir.resolve() not in contacts.parents
    with duckdb.connect(str(contacts), read_only=True) as connection:
        [(listed,)] = connection.execute("select count(*) from exports.crm_contacts").fetchall()
    assert listed == demo_build.query("select count(*) from exports.crm_contacts")[0][0]
    assert leftovers(serving_dir) == []


def test_the_same_build_gives_the_same_parquet_bytes(demo_build: Build, tmp_path: Path) -> None:
    serving_dir = tmp_path / "serving"
    manifest = demo_build.target / "manifest.json"
    publish.publish(demo_build.database, serving_dir, manifest)
    first = serving.current(serving_dir)
    publish.publish(demo_build.database, serving_dir, manifest)
    second = serving.current(serving_dir)
    assert first.name != second.name
    assert len(parquet_digests(first.folder)) > 30
    assert parquet_digests(first.folder) == parquet_digests(second.folder)


def test_a_replaced_version_serves_for_the_grace_period_then_goes(
    demo_build: Build, tmp_path: Path
) -> None:
    serving_dir = tmp_path / "serving"
    manifest = demo_build.target / "manifest.json"
    publish.publish(demo_build.database, serving_dir, manifest)
    first = serving.current(serving_dir)
    resolved = duckdb.connect(str(first.database), read_only=True)  # a reader on it
    publish.publish(demo_build.database, serving_dir, manifest, grace_minutes=60)
    second = serving.current(serving_dir)
    assert second.name != first.name and first.folder.is_dir()
    assert resolved.execute("select version from publish_info").fetchall() == [(first.name,)]
    parquet = first.folder / "parquet" / "marts" / "customer_rfm.parquet"
    assert pq.read_metadata(parquet).num_rows > 0  # a Parquet reader that resolved it
    resolved.close()
    publish.publish(demo_build.database, serving_dir, manifest, grace_minutes=0)
    third = serving.current(serving_dir)
    assert sorted(p.name for p in (serving_dir / serving.VERSIONS).iterdir()) == [third.name]
    assert sorted(p.name for p in serving.private_dir(serving_dir).iterdir()) == [third.name]


@pytest.mark.parametrize("point", ["writing", "before-switch", "after-switch"])
def test_a_killed_publish_leaves_one_whole_copy_and_the_next_cleans_up(
    demo_build: Build, tmp_path: Path, point: str
) -> None:
    serving_dir = tmp_path / "serving"
    manifest = demo_build.target / "manifest.json"
    publish.publish(demo_build.database, serving_dir, manifest)
    before = reads(serving_dir)
    killed = run_publish(demo_build.database, serving_dir, manifest, point)
    assert killed.returncode == 9, killed.stderr
    after = reads(serving_dir)
    assert after[1] == after[2] == before[1]  # one build's rows, in DuckDB and Parquet
    if point == "after-switch":
        assert after[0] != before[0]  # the new version was complete: it serves
    else:
        assert after[0] == before[0]  # the last good copy serves
    assert leftovers(serving_dir) or point == "after-switch"
    again = run_publish(demo_build.database, serving_dir, manifest)
    assert again.returncode == 0, again.stderr
    assert leftovers(serving_dir) == []
    assert reads(serving_dir)[1:] == before[1:]


def test_a_build_whose_marts_disagree_is_not_published(demo_build: Build, tmp_path: Path) -> None:
    serving_dir = tmp_path / "serving"
    manifest = demo_build.target / "manifest.json"
    publish.publish(demo_build.database, serving_dir, manifest)
    before = reads(serving_dir)
    broken = own_copy(demo_build, tmp_path)
    with duckdb.connect(str(broken)) as connection:
        connection.execute(
            "delete from marts.customer_metrics where customer_id in "
            "(select customer_id from marts.customer_metrics order by customer_id limit 3)"
        )
    with pytest.raises(publish.UserError, match="marts disagree") as refused:
        publish.publish(broken, serving_dir, manifest)
    assert "marts.customer_metrics has" in str(refused.value)
    assert reads(serving_dir) == before
    assert leftovers(serving_dir) == []


def test_a_reader_never_fails_and_sees_whole_builds_during_a_rebuild(
    demo_build: Build, tmp_path: Path
) -> None:
    build_file = own_copy(demo_build, tmp_path)
    serving_dir = tmp_path / "serving"
    manifest = demo_build.target / "manifest.json"
    publish.publish(build_file, serving_dir, manifest)

    stop, out = tmp_path / "stop", tmp_path / "reader.json"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(serving_dir), str(stop), str(out)])
    try:
        time.sleep(1)
        rebuild = run_dbt(
            Build(demo_build.landing, build_file, tmp_path / "target"),
            "build",
            "--vars",
            "{as_of_date: '2025-10-01'}",
        )
        assert rebuild.returncode == 0, rebuild.output[-3000:]
        publish.publish(build_file, serving_dir, manifest)
        time.sleep(1)
    finally:
        stop.touch()
        reader.wait(timeout=60)
    result = json.loads(out.read_text())
    print(f"reader queries during the rebuild: {result['queries']}")
    assert result["errors"] == []
    assert result["inconsistent"] == 0
    assert result["queries"] > 50
    assert len(result["builds"]) == 2  # it saw the old build, then the new one


def test_a_missing_build_is_refused_and_the_last_copy_keeps_serving(
    demo_build: Build, tmp_path: Path
) -> None:
    serving_dir = tmp_path / "serving"
    publish.publish(demo_build.database, serving_dir, demo_build.target / "manifest.json")
    before = reads(serving_dir)
    with pytest.raises(publish.UserError, match="no build to publish"):
        publish.publish(
            tmp_path / "missing.duckdb", serving_dir, demo_build.target / "manifest.json"
        )
    assert reads(serving_dir) == before
