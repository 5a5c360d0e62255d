"""A dbt-duckdb plugin that takes the build lock and recovers the landing zone before dbt
reads it.

profiles.yml loads it with the landing folder the landing views read. When dbt opens its
first connection, before the on-run-start hooks:

1. it takes the build lock on the target's DuckDB file for the rest of the process
   (customer360.build_state): a second dbt run, or a publish, while this one runs stops
   with one line naming this run;
2. it waits for a running ingest to finish landing and then finishes or undoes what a
   killed ingest left (customer360.landing_commit.recover). So a build never reads half an
   ingest.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin
from dbt.adapters.events.logging import AdapterLogger
from dbt_common.exceptions import DbtRuntimeError

from customer360 import build_state, landing_commit

LOGGER = AdapterLogger("customer360")


class Plugin(BasePlugin):
    def initialize(self, plugin_config: dict[str, Any]) -> None:
        database = getattr(self.creds, "path", None)
        if database and database != ":memory:" and not database.startswith("md:"):
            try:
                build_state.acquire_build_lock(Path(database))
            except build_state.BuildInUse as error:
                raise DbtRuntimeError(str(error)) from None
        landing = Path(plugin_config["landing_dir"])
        if not landing.is_dir():  # nothing landed: the landing views say what to do
            return
        with landing_commit.locked(landing):
            for line in landing_commit.recover(landing):
                LOGGER.warning(f"landing zone {landing}: {line}")
