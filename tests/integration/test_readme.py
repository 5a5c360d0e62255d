"""The README's model map and var table are generated (`make readme`) from the manifest and
dbt_project.yml; this fails when README.md differs from what the generator writes."""

from __future__ import annotations

import difflib

import pytest

from customer360 import readme_tables
from tests.helpers import PROJECT_DIR

pytestmark = pytest.mark.integration


def test_readme_tables_are_up_to_date(parsed_manifest: dict) -> None:
    readme = (PROJECT_DIR / "README.md").read_text(encoding="utf-8")
    generated = readme_tables.generate(
        readme, parsed_manifest, (PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8")
    )
    diff = "".join(
        difflib.unified_diff(
            readme.splitlines(keepends=True),
            generated.splitlines(keepends=True),
            "README.md",
            "generated",
            n=0,
        )
    )
    assert generated == readme, (
        f"README.md's generated tables are out of date: run `{readme_tables.COMMAND}` "
        f"(python -m customer360.readme_tables)\n{diff[:4000]}"
    )


def test_every_model_and_var_is_in_the_tables(parsed_manifest: dict) -> None:
    project_yml = (PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8")
    model_map = readme_tables.model_map(parsed_manifest)
    for node in parsed_manifest["nodes"].values():
        if node["resource_type"] == "model":
            assert f".{node['name']}`" in model_map
    var_table = readme_tables.var_table(project_yml)
    for name in readme_tables.yaml.safe_load(project_yml)["vars"]:
        assert f"`{name}`" in var_table


def test_var_rows_follow_the_comments_and_descriptions_their_first_sentence() -> None:
    project_yml = (
        "name: x\nvars:\n  # First: one.\n  a: 1\n  b: null\n  # Second | with a pipe\n"
        "  # over two lines.\n  c: [x, y]\n  d: \"{{ env_var('C360_D', 'dir/d') }}\"\n"
        "models: {}\n"
    )
    assert readme_tables.var_table(project_yml).splitlines()[2:] == [
        "| `a`, `b` | `1`, `null` | First: one. |",
        "| `c`, `d` | `[x, y]`, `dir/d` (env `C360_D`) | Second \\| with a pipe over two lines. |",
    ]
    assert (
        readme_tables.first_sentence("One row per order (e.g. a return).\n Second. Third.")
        == "One row per order (e.g. a return)."
    )
    assert readme_tables.first_sentence("A ratio of 0.6 applies. `x` follows.") == (
        "A ratio of 0.6 applies."
    )
