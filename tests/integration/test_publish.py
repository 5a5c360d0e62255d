"""Readers never wait: while the private build file is rebuilt and republished, a separate
process querying the serving copy never gets an error, and every answer is one build."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from customer360 import publish
from tests.helpers import Build, run_dbt

pytestmark = pytest.mark.integration

READER = """
import json, sys, time, duckdb
serving, stop, out = sys.argv[1], sys.argv[2], sys.argv[3]
queries, errors, builds, inconsistent = 0, [], set(), 0
from pathlib import Path
while not Path(stop).exists():
    try:
        with duckdb.connect(serving, read_only=True) as connection:
            [(as_of, runs_as_of, customers, metrics)] = connection.execute(
                "select (select as_of_date from publish_info),"
                " (select max(as_of_date) from ml.churn_model_runs where is_current),"
                " (select count(*) from marts.customer_360),"
                " (select count(*) from marts.customer_metrics)"
            ).fetchall()
        queries += 1
        builds.add(str(as_of))
        inconsistent += (as_of != runs_as_of) or (customers != metrics)
    except Exception as error:
        errors.append(repr(error))
    time.sleep(0.01)
Path(out).write_text(json.dumps({"queries": queries, "errors": errors,
                                 "builds": sorted(builds), "inconsistent": inconsistent}))
"""


def test_a_reader_never_fails_and_sees_whole_builds_during_a_rebuild(
    demo_build: Build, tmp_path: Path
) -> None:
    build_file = tmp_path / "build.duckdb"
    shutil.copy(demo_build.database, build_file)
    serving = tmp_path / "serving"
    manifest = demo_build.target / "manifest.json"
    publish.publish(build_file, serving, manifest)

    stop, out = tmp_path / "stop", tmp_path / "reader.json"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(serving / "customer360.duckdb"), str(stop), str(out)]
    )
    try:
        time.sleep(1)
        rebuild = run_dbt(
            Build(demo_build.landing, build_file, tmp_path / "target"),
            "build", "--vars", "{as_of_date: '2025-10-01'}",
        )  # fmt: skip
        assert rebuild.returncode == 0, rebuild.output[-3000:]
        publish.publish(build_file, serving, manifest)
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
    serving = tmp_path / "serving"
    publish.publish(demo_build.database, serving, demo_build.target / "manifest.json")
    before = (serving / "customer360.duckdb").stat().st_mtime_ns
    with pytest.raises(publish.UserError, match="no build to publish"):
        publish.publish(tmp_path / "missing.duckdb", serving, demo_build.target / "manifest.json")
    assert (serving / "customer360.duckdb").stat().st_mtime_ns == before
    assert (serving / "parquet" / "marts" / "customer_360.parquet").is_file()
