"""The build's own record and the build lock: publish serves only a complete, successful
`dbt build`; a second run while one holds the build file stops with one line; a killed
build leaves readers on the last good copy and the next build recovers by itself.

Builds are killed with SIGKILL by PID (no cleanup, no on-run-end hook).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from customer360 import serving
from tests.helpers import PROJECT_DIR, Build, dbt_invocation, run_cli, run_dbt

pytestmark = pytest.mark.integration


def last_record(build: Build) -> dict:
    with build.connect() as connection:
        cursor = connection.execute(
            "select * from ops.build_runs order by run_sequence desc limit 1"
        )
        row = cursor.fetchall()[0]
        return dict(zip([column[0] for column in cursor.description], row, strict=True))


def own_build(demo_build: Build, tmp_path: Path) -> Build:
    """A copy of the demo build (its build record travels with it), with its own target."""
    build = Build(demo_build.landing, tmp_path / "build.duckdb", tmp_path / "target")
    shutil.copyfile(demo_build.database, build.database)
    shutil.copytree(demo_build.target, build.target)
    return build


def publish_cli(build: Build, serving_dir: Path) -> subprocess.CompletedProcess:
    return run_cli(
        "publish",
        "--build-file",
        str(build.database),
        "--serving-dir",
        str(serving_dir),
        "--manifest",
        str(build.target / "manifest.json"),
    )


def error_lines(result: subprocess.CompletedProcess) -> list[str]:
    """stderr without the progress line every publish prints first."""
    return [line for line in result.stderr.splitlines() if not line.startswith("publishing ")]


def test_a_complete_build_records_what_ran_on_which_data(demo_build: Build) -> None:
    record = last_record(demo_build)
    run_results = demo_build.run_results
    landed = [
        path for path in demo_build.landing.glob("*/*") if path.suffix in {".parquet", ".csv"}
    ]
    assert record["build_id"] == run_results["metadata"]["invocation_id"]
    assert (record["command"], record["selection"], record["status"]) == ("build", None, "success")
    assert record["finished_at"] >= record["started_at"]
    nodes = [r for r in run_results["results"] if not r["unique_id"].startswith("operation.")]
    assert record["nodes_run"] == len(nodes)  # hooks are operations, not nodes
    assert record["nodes_failed"] == record["nodes_skipped"] == 0
    assert record["landing_files"] == len(landed)
    assert record["landing_bytes"] == sum(path.stat().st_size for path in landed)
    assert json.loads(record["cli_vars"]) == {}


def test_a_partial_or_failed_run_is_refused_and_the_last_copy_keeps_serving(
    demo_build: Build, tmp_path: Path
) -> None:
    build = own_build(demo_build, tmp_path)
    serving_dir = tmp_path / "serving"
    assert publish_cli(build, serving_dir).returncode == 0
    served = serving.current_name(serving_dir)

    run_dbt(build, "run", "--select", "customer_rfm")
    assert build.returncode == 0, build.output[-3000:]
    refused = publish_cli(build, serving_dir)
    assert refused.returncode == 1
    [line] = error_lines(refused)
    assert "`dbt run`" in line and '"select": ["customer_rfm"]' in line
    assert "did not run every model" in line and "Traceback" not in refused.stderr
    assert serving.current_name(serving_dir) == served

    run_dbt(build, "build", vars_='{as_of_date: "not a date"}')
    assert build.returncode != 0
    record = last_record(build)
    assert record["status"] == "failed" and record["nodes_failed"] >= 1
    assert json.loads(record["cli_vars"]) == {"as_of_date": "not a date"}
    refused = publish_cli(build, serving_dir)
    assert refused.returncode == 1
    [line] = error_lines(refused)
    assert f"failed ({record['nodes_failed']} errors, {record['nodes_skipped']} skipped)" in line
    assert serving.current_name(serving_dir) == served


def wait_for_models(log: Path, done: int, timeout: float = 300) -> None:
    """Until the build's log shows `done` finished nodes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if log.read_text().count(" [OK") + log.read_text().count(" [PASS") >= done:
            return
        time.sleep(0.2)
    raise AssertionError(f"the build did not reach {done} nodes: {log.read_text()[-2000:]}")


def test_a_killed_build_leaves_the_last_good_copy_and_the_next_build_recovers(
    demo_build: Build, tmp_path: Path
) -> None:
    build = own_build(demo_build, tmp_path)
    serving_dir = tmp_path / "serving"
    assert publish_cli(build, serving_dir).returncode == 0
    served = serving.current_name(serving_dir)
    [(customers,)] = demo_build.query("select count(*) from marts.customer_360")

    log = tmp_path / "build.log"
    command, env = dbt_invocation(build, "build")
    with log.open("w") as out:
        running = subprocess.Popen(command, cwd=PROJECT_DIR, env=env, stdout=out, stderr=out)
    try:
        wait_for_models(log, 150)
        # a second build and a publish during the build: one line each, no traceback
        second = run_dbt(Build(build.landing, build.database, tmp_path / "target2"), "build")
        assert second.returncode != 0
        assert f"is in use by `dbt build` (pid {running.pid}," in second.output
        assert f"kill {running.pid}" in second.output and "Traceback" not in second.output
        during = publish_cli(build, serving_dir)
        assert during.returncode == 1
        [line] = error_lines(during)
        assert f"is in use by `dbt build` (pid {running.pid}," in line
        # readers, the export and validate work on the serving copy meanwhile
        exported = run_cli(
            "export",
            "--risk",
            "high",
            "--serving-dir",
            str(serving_dir),
            "--out",
            str(tmp_path / "high.csv"),
        )
        assert exported.returncode == 0, exported.stderr
        assert running.poll() is None, "the build ended before it was killed"
    finally:
        os.kill(running.pid, signal.SIGKILL)
        running.wait()

    refused = publish_cli(build, serving_dir)
    assert refused.returncode == 1
    [line] = error_lines(refused)
    assert "did not finish (killed or stopped)" in line
    assert serving.current_name(serving_dir) == served
    with serving.connect(serving_dir) as connection:
        assert connection.execute("select count(*) from marts.customer_360").fetchall() == [
            (customers,)
        ]
    validated = run_cli(
        "validate",
        "--serving-dir",
        str(serving_dir),
        "--landing-dir",
        str(build.landing),
        "--out",
        str(tmp_path / "quality"),
        "--quiet",
    )
    assert validated.returncode == 0, validated.stdout[-2000:] + validated.stderr[-2000:]

    # the next build needs no cleanup, and its publish serves it
    run_dbt(build, "build")
    assert build.returncode == 0, build.output[-3000:]
    published = publish_cli(build, serving_dir)
    assert published.returncode == 0, published.stderr
    version = serving.current(serving_dir)
    assert version.name != served
    assert version.manifest["build_id"] == last_record(build)["build_id"]
