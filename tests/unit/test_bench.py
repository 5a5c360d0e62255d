"""The benchmark's per-layer printout reads both builds' run results from one dbt target
folder (the incremental build runs where the full one ran, so dbt parses partially)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from customer360 import bench


def results(elapsed: float, times: dict[str, float]) -> dict:
    return {
        "elapsed_time": elapsed,
        "results": [{"unique_id": uid, "execution_time": t} for uid, t in times.items()],
    }


def test_both_builds_are_summed_per_layer_from_one_target(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    target = tmp_path / "target"
    target.mkdir()
    (target / "manifest.json").write_text(
        json.dumps(
            {
                "nodes": {
                    "model.p.churn_scores": {"language": "python"},
                    "model.p.base_orders": {"language": "sql"},
                    "model.p.fct_orders": {"language": "sql"},
                }
            }
        )
    )
    full = target / "run_results-full-build.json"
    full.write_text(
        json.dumps(
            results(
                30.0,
                {
                    "model.p.base_orders": 4.0,
                    "model.p.churn_scores": 6.0,
                    "test.p.not_null_columns_x": 0.5,
                    "test.p.unique_x": 0.25,
                },
            )
        )
    )
    incremental = target / "run_results.json"
    incremental.write_text(
        json.dumps(results(9.5, {"model.p.fct_orders": 1.5, "model.p.churn_scores": 2.0}))
    )
    bench.print_layers([("dbt build", full), ("dbt build, incremental +1 day", incremental)])
    out = capsys.readouterr().out
    full_part, incremental_part = out.split("dbt build, incremental +1 day")
    assert "30.0 s in dbt's nodes" in full_part
    assert "9.5 s in dbt's nodes" in incremental_part
    layers = full_part.split("in parallel):")[1].split("slowest models:")[0]
    assert [line.split()[-1] for line in layers.strip().splitlines()] == ["6.0", "4.0", "0.8"]
    assert "python models (ML)" in layers and "data tests" in layers
    assert "fct_orders (model.p.fct_orders)" in incremental_part.split("incremental models:")[1]
