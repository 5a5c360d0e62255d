"""The dbt project as its manifest sees it: parsed without a warehouse (`dbt parse`), each
model placed in its layer by its folder, and the layer rules the folders promise.

The layers (see STYLE.md, "Folders are the DAG"):
- staging (`models/staging/`) reads landing sources and other staging models;
- intermediate (`models/intermediate/`) reads staging and other intermediate models;
- marts (`models/marts/`, `models/exports/` and the Python models in `python_models/`)
  read staging, intermediate models and other marts, never a source.
Seeds are reference data and may be read by every layer.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

PACKAGE = "customer360"
# A model's layer by the folder its file is in (the first matching prefix).
LAYER_FOLDERS = (
    ("models/staging/", "staging"),
    ("models/intermediate/", "intermediate"),
    ("models/marts/", "marts"),
    ("models/exports/", "marts"),
    ("python_models/", "marts"),
)
LAYER_ORDER = ("staging", "intermediate", "marts")
# What a model of each layer may read: other layers' models, "source" or "seed".
ALLOWED_READS = {
    "staging": {"source", "seed", "staging"},
    "intermediate": {"seed", "staging", "intermediate"},
    "marts": {"seed", "staging", "intermediate", "marts"},
}
# Documented exceptions: {model name: why it may break its layer's rule}. None is needed.
EXCEPTIONS: dict[str, str] = {}


def parse(project: Path, target_path: Path | None = None) -> dict:
    """`dbt parse` of the project into `target_path` (a temporary folder when None), and
    its manifest. Parsing opens no warehouse, so it works beside a running build."""
    with tempfile.TemporaryDirectory(prefix="c360-parse-") as scratch:
        target = Path(target_path or scratch)
        env = {
            **os.environ,
            "DBT_PROFILES_DIR": str(project),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        }
        command = [
            str(Path(sys.executable).parent / "dbt"),
            "parse",
            "--project-dir",
            str(project),
            "--target-path",
            str(target),
            "--log-path",
            str(target / "logs"),
            "--no-use-colors",
            "--quiet",
        ]
        result = subprocess.run(
            command, cwd=project, env=env, capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise RuntimeError(f"dbt parse failed:\n{result.stdout}{result.stderr}")
        return json.loads((target / "manifest.json").read_text(encoding="utf-8"))


def models(manifest: dict) -> dict[str, dict]:
    """The project's models by unique id."""
    return {
        unique_id: node
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and node["package_name"] == PACKAGE
    }


def model_layer(node: dict) -> str | None:
    """The layer of a model, by its folder; None for a folder outside the layers."""
    path = node["original_file_path"].replace("\\", "/")
    return next((layer for prefix, layer in LAYER_FOLDERS if path.startswith(prefix)), None)


def model_folder(node: dict) -> str:
    """The folder of a model's file, without `models/` (`marts/customers`, `python_models/ml`)."""
    folder = str(Path(node["original_file_path"]).parent).replace("\\", "/")
    return folder.removeprefix("models/")


def _read_kind(unique_id: str, manifest: dict) -> str:
    """What a dependency is: "source", "seed", a model's layer, or another resource type."""
    if unique_id.startswith("source."):
        return "source"
    node = manifest["nodes"].get(unique_id, {})
    if node.get("resource_type") == "model":
        return model_layer(node) or "unknown folder"
    return node.get("resource_type", unique_id.split(".", 1)[0])


def layer_violations(manifest: dict) -> list[str]:
    """Every model that reads across its layer's rule, or lives outside the layers, as a
    sentence naming the model and what it reads; models in EXCEPTIONS are skipped."""
    problems = []
    for node in models(manifest).values():
        if node["name"] in EXCEPTIONS:
            continue
        layer = model_layer(node)
        if layer is None:
            problems.append(
                f"{node['original_file_path']}: {node['name']} is in no layer folder "
                f"({', '.join(prefix for prefix, _ in LAYER_FOLDERS)})"
            )
            continue
        for dependency in node["depends_on"]["nodes"]:
            kind = _read_kind(dependency, manifest)
            if kind not in ALLOWED_READS[layer]:
                problems.append(
                    f"{node['original_file_path']}: {layer} model {node['name']} reads "
                    f"{kind} {dependency.split('.')[-1]} ({layer} may read "
                    f"{', '.join(sorted(ALLOWED_READS[layer]))})"
                )
    return sorted(problems)
