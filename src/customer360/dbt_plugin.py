"""A dbt-duckdb plugin that recovers the landing zone before dbt reads it.

profiles.yml loads it with the landing folder the landing views read; when dbt opens its
first connection, before the on-run-start hook creates the landing views, it waits for
a running ingest to finish landing and then finishes or undoes what a killed ingest left
(customer360.landing_commit.recover). So a build never reads half an ingest.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin
from dbt.adapters.events.logging import AdapterLogger

from customer360 import landing_commit

LOGGER = AdapterLogger("customer360")


class Plugin(BasePlugin):
    def initialize(self, plugin_config: dict[str, Any]) -> None:
        landing = Path(plugin_config["landing_dir"])
        if not landing.is_dir():  # nothing landed: the landing views say what to do
            return
        with landing_commit.locked(landing):
            for line in landing_commit.recover(landing):
                LOGGER.warning(f"landing zone {landing}: {line}")
