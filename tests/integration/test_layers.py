"""Folders are the DAG: every model reads only what its layer may read (staging: sources and
staging; intermediate: staging and intermediate; marts, exports and the Python models: no
source), checked on the manifest of `dbt parse`."""

from __future__ import annotations

import copy

import pytest

from customer360 import dbt_manifest

pytestmark = pytest.mark.integration


def test_every_model_reads_only_what_its_layer_may_read(parsed_manifest: dict) -> None:
    assert dbt_manifest.layer_violations(parsed_manifest) == []


def test_the_exceptions_are_few_and_documented() -> None:
    assert len(dbt_manifest.EXCEPTIONS) <= 3
    assert all(reason.strip() for reason in dbt_manifest.EXCEPTIONS.values())


def test_every_layer_has_models_and_the_python_models_are_marts(parsed_manifest: dict) -> None:
    layers: dict[str, set[str]] = {}
    for node in dbt_manifest.models(parsed_manifest).values():
        layers.setdefault(dbt_manifest.model_layer(node), set()).add(node["name"])
    assert set(layers) == {"staging", "intermediate", "marts"}
    assert {"segment_centres", "churn_scores", "crm_contacts"} <= layers["marts"]
    assert {"fct_customer_purchases", "fct_basket_items", "customer_segment_features"} <= (
        layers["marts"]
    )


def _model_id(manifest: dict, name: str) -> str:
    return next(uid for uid, node in dbt_manifest.models(manifest).items() if node["name"] == name)


def test_planted_violations_are_reported(parsed_manifest: dict) -> None:
    """A mart reading a source, an intermediate model reading a mart, staging reading an
    intermediate model, a Python model reading a source and a model outside the layer
    folders are each reported, naming the model and what it reads."""
    manifest = copy.deepcopy(parsed_manifest)
    source = next(iter(manifest["sources"]))
    plants = {
        "landing_reconciliation": source,
        "int_period_coverage": _model_id(manifest, "fct_orders"),
        "stg_orders": _model_id(manifest, "int_as_of_date"),
        "segment_centres": source,
    }
    for name, dependency in plants.items():
        manifest["nodes"][_model_id(manifest, name)]["depends_on"]["nodes"].append(dependency)
    # no model reads crm_contacts, so moving it out of the layer folders is one problem
    manifest["nodes"][_model_id(manifest, "crm_contacts")]["original_file_path"] = (
        "models/crm_contacts.sql"
    )
    problems = dbt_manifest.layer_violations(manifest)
    assert len(problems) == 5, problems
    for expected in (
        "marts model landing_reconciliation reads source",
        "intermediate model int_period_coverage reads marts fct_orders",
        "staging model stg_orders reads intermediate int_as_of_date",
        "marts model segment_centres reads source",
        "crm_contacts is in no layer folder",
    ):
        assert any(expected in problem for problem in problems), (expected, problems)
