"""The README's model map and var table, generated: the model map from the manifest of
`dbt parse` (layer and folder, table, materialisation, the description's first sentence),
the var table from dbt_project.yml (name, default, the comment above it). Each is written
between marker comments in README.md, so the README never restates the yml by hand.

    python -m customer360.readme_tables           # rewrite README.md (make readme)
    python -m customer360.readme_tables --check   # exit 1 when README.md is out of date
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import Any

import yaml

from customer360 import dbt_manifest
from customer360.project import project_dir

COMMAND = "make readme"  # or: python -m customer360.readme_tables
BEGIN = "<!-- BEGIN GENERATED {name}: do not edit, run `" + COMMAND + "` -->"
END = "<!-- END GENERATED {name} -->"
# a sentence ends at . ! or ? followed by a space and a capital, a backtick or a bracket;
# "e.g." and "i.e." end none
SENTENCE_END = re.compile(r"(?<!\be\.g\.)(?<!\bi\.e\.)(?<=[.!?])\s+(?=[A-Z`(*])")
ENV_VAR = re.compile(r"""\{\{\s*env_var\(\s*'(\w+)'\s*,\s*'([^']*)'\s*\)\s*\}\}""")
VAR_LINE = re.compile(r"^  (\w+):(.*)$")
COMMENT_LINE = re.compile(r"^  #\s?(.*)$")


def cell(text: str) -> str:
    """Text fit for one Markdown table cell."""
    return " ".join(text.split()).replace("|", "\\|")


def first_sentence(text: str) -> str:
    words = " ".join(text.split())
    return SENTENCE_END.split(words, maxsplit=1)[0] if words else ""


def model_rows(manifest: dict) -> list[str]:
    """One table row per model, by layer, folder and name."""
    rows = []
    for node in dbt_manifest.models(manifest).values():
        layer = dbt_manifest.model_layer(node) or "?"
        materialized = node["config"]["materialized"]
        if node.get("language") == "python":
            materialized += " (Python)"
        rows.append(
            (
                dbt_manifest.LAYER_ORDER.index(layer) if layer in dbt_manifest.LAYER_ORDER else 9,
                dbt_manifest.model_folder(node),
                node["name"],
                f"| {layer} | `{dbt_manifest.model_folder(node)}` "
                f"| `{node['schema']}.{node['name']}` | {materialized} "
                f"| {cell(first_sentence(node['description']))} |",
            )
        )
    return [row[-1] for row in sorted(rows)]


def model_map(manifest: dict) -> str:
    sources = sorted(
        source["name"]
        for source in manifest["sources"].values()
        if source["package_name"] == dbt_manifest.PACKAGE
    )
    seeds = sorted(
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "seed" and node["package_name"] == dbt_manifest.PACKAGE
    )
    lines = [
        "| layer | folder | table | materialized | what it holds |",
        "|---|---|---|---|---|",
        "| landing | `models/staging/_sources.yml` | "
        + ", ".join(f"`landing.{name}`" for name in sources)
        + " | view | the landing files, as dbt sources (views created by the build) |",
        *model_rows(manifest),
        "| reference | `seeds` | "
        + ", ".join(f"`reference.{name}`" for name in seeds)
        + " | seed | rule tables: thresholds and rules are data, not code |",
    ]
    return "\n".join(lines)


def yaml_text(value: Any) -> str:
    """A value as YAML writes it inline."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return "[" + ", ".join(yaml_text(item) for item in value) + "]"
    return str(value)


def default_text(value: Any) -> str:
    """A var's default as the table shows it (Markdown): an environment variable's default
    names the variable."""
    if isinstance(value, str) and (match := ENV_VAR.fullmatch(value.strip())):
        return f"`{cell(match.group(2))}` (env `{match.group(1)}`)"
    return f"`{cell(yaml_text(value))}`"


def var_groups(project_yml: str) -> list[tuple[list[str], str]]:
    """The vars of dbt_project.yml in file order, grouped by the comment above them: a
    var without a comment of its own shares the row of the var before it."""
    groups: list[tuple[list[str], str]] = []
    comment: list[str] = []
    in_vars = False
    for line in project_yml.splitlines():
        if not line.startswith(" ") and line.strip():
            in_vars = line.startswith("vars:")
            continue
        if not in_vars:
            continue
        if match := COMMENT_LINE.match(line):
            comment.append(match.group(1))
        elif match := VAR_LINE.match(line):
            if comment or not groups:
                groups.append(([match.group(1)], " ".join(comment)))
            else:
                groups[-1][0].append(match.group(1))
            comment = []
    return groups


def var_table(project_yml: str) -> str:
    values = yaml.safe_load(project_yml)["vars"]
    lines = ["| var | default | meaning |", "|---|---|---|"]
    for names, comment in var_groups(project_yml):
        lines.append(
            "| "
            + ", ".join(f"`{name}`" for name in names)
            + " | "
            + ", ".join(default_text(values[name]) for name in names)
            + f" | {cell(comment)} |"
        )
    return "\n".join(lines)


def replace_between_markers(text: str, name: str, content: str) -> str:
    begin, end = BEGIN.format(name=name), END.format(name=name)
    if text.count(begin) != 1 or text.count(end) != 1:
        raise ValueError(f"README.md needs one '{begin}' and one '{end}' line")
    head, rest = text.split(begin)
    _, tail = rest.split(end)
    return f"{head}{begin}\n{content}\n{end}{tail}"


def generate(readme: str, manifest: dict, project_yml: str) -> str:
    """README text with both generated tables replaced."""
    readme = replace_between_markers(readme, "model-map", model_map(manifest))
    return replace_between_markers(readme, "var-table", var_table(project_yml))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m customer360.readme_tables", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--check", action="store_true", help="exit 1 when README.md is out of date")
    args = parser.parse_args(argv)
    project = project_dir()
    readme_path = project / "README.md"
    readme = readme_path.read_text(encoding="utf-8")
    generated = generate(
        readme,
        dbt_manifest.parse(project),
        (project / "dbt_project.yml").read_text(encoding="utf-8"),
    )
    if args.check:
        if generated != readme:
            print(f"README.md is out of date: run `{COMMAND}`", file=sys.stderr)
            return 1
        return 0
    if generated != readme:
        readme_path.write_text(generated, encoding="utf-8")
        print("README.md: model map and var table regenerated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
