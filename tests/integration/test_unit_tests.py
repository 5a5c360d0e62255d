"""The dbt unit tests (SQL logic on fixed fixtures) run here, in development and CI, not in
every `dbt build`: the default selector (selectors.yml) leaves them out of production
builds, as dbt Labs recommends, since their answer does not depend on the data."""

from __future__ import annotations

import json

import pytest

from tests.helpers import Build, run_dbt

pytestmark = pytest.mark.integration


def test_every_unit_test_passes_and_builds_leave_them_out(demo_build: Build) -> None:
    built = {result["unique_id"] for result in demo_build.run_results["results"]}
    assert not [node for node in built if node.startswith("unit_test.")]

    unit = run_dbt(
        Build(demo_build.landing, demo_build.database, demo_build.target.parent / "unit"),
        "test",
        "--select",
        "test_type:unit",
    )
    assert unit.returncode == 0, unit.output[-5000:]
    manifest = json.loads((unit.target / "manifest.json").read_text())
    defined = set(manifest["unit_tests"])
    assert len(defined) >= 20
    outcomes = {
        result["unique_id"]: result["status"]
        for result in unit.run_results["results"]
        if result["unique_id"].startswith("unit_test.")
    }
    assert outcomes == dict.fromkeys(defined, "pass")
