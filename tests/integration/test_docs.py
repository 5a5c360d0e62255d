"""`dbt docs generate` shows a description for every model, seed, source and column, and no
description cites a requirement document."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.helpers import REQUIREMENT_CITATION, Build, run_dbt

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def docs(demo_build: Build) -> tuple[dict, dict]:
    run_dbt(demo_build, "docs", "generate")
    assert demo_build.returncode == 0, demo_build.output[-3000:]
    manifest = json.loads((demo_build.target / "manifest.json").read_text())
    catalog = json.loads((demo_build.target / "catalog.json").read_text())
    return manifest, catalog


def documented_nodes(manifest: dict) -> dict[str, dict]:
    nodes = {
        unique_id: node
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] in {"model", "seed"} and node["package_name"] == "customer360"
    }
    nodes.update(manifest["sources"])
    return nodes


def test_every_model_seed_and_source_has_a_description(docs) -> None:
    manifest, _ = docs
    missing = [uid for uid, node in documented_nodes(manifest).items() if not node["description"]]
    assert missing == []


def test_every_built_column_has_a_description(docs) -> None:
    manifest, catalog = docs
    nodes = documented_nodes(manifest)
    missing = []
    for unique_id, entry in {**catalog["nodes"], **catalog["sources"]}.items():
        if unique_id not in nodes:
            continue
        described = {
            name.lower()
            for name, column in nodes[unique_id]["columns"].items()
            if column.get("description")
        }
        # the landing views add _source_file / _source_row and _landed_file / _landed_row
        # to the contract's columns; they are documented once, in the landing_zone docs block
        added = {"_source_file", "_source_row", "_landed_file", "_landed_row"}
        lineage = added if unique_id.startswith("source.") else set()
        missing += [
            f"{unique_id}.{name}"
            for name in entry["columns"]
            if name.lower() not in described | lineage
        ]
    assert missing == []


def descriptions(value: object) -> Iterator[str]:
    """Every description and docs block in a manifest entry, however deeply nested."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in {"description", "block_contents"} and isinstance(item, str):
                yield item
            else:
                yield from descriptions(item)
    elif isinstance(value, list):
        for item in value:
            yield from descriptions(item)


def test_no_description_cites_a_requirement_document(docs) -> None:
    manifest, _ = docs
    sections = [
        "nodes",
        "sources",
        "exposures",
        "metrics",
        "semantic_models",
        "saved_queries",
        "docs",
        "macros",
    ]
    entries = {
        unique_id: entry
        for section in sections
        for unique_id, entry in manifest.get(section, {}).items()
        if entry.get("package_name") == "customer360"
    }
    assert len(entries) > 100
    cited = [
        (unique_id, found)
        for unique_id, entry in entries.items()
        for text in descriptions(entry)
        if (found := REQUIREMENT_CITATION.findall(text))
    ]
    assert cited == []
