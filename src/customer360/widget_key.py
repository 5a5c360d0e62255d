"""The retention widget's lookup key: HMAC-SHA256 (RFC 2104) with a secret from the
environment, as the DuckDB function `widget_key_hmac(text)` that
models/marts/marketing/retention_offers.sql applies to the trimmed, lower-cased e-mail.

DuckDB 2.0 has `sha256` but no HMAC, so dbt-duckdb loads this module as a plugin
(profiles.yml, `plugins:`) and it registers the function on each connection dbt opens;
Python's `hmac` computes the key. The secret is read here, from C360_WIDGET_KEY_SECRET,
and never passes through dbt: a model reading it with `env_var()` writes it into the
compiled SQL under target/ (compiled/, run/, `compiled_code` in manifest.json and
run_results.json, and so the `make docs` site), into target/partial_parse.msgpack (which
keeps the values of the environment variables a project reads) and into logs/dbt.log
(which logs each statement) — checked with dbt 1.11.
Here the SQL names only the function, and the warehouse holds only the keys. Without the
secret (unset or empty) the function returns null, so the column is null.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import hmac
import os

import duckdb
from dbt.adapters.duckdb.plugins import BasePlugin
from duckdb import DuckDBPyConnection
from duckdb.sqltypes import VARCHAR

SECRET_ENV_VAR = "C360_WIDGET_KEY_SECRET"
FUNCTION_NAME = "widget_key_hmac"


def widget_key(message: str | None, secret: bytes) -> str | None:
    """The lower-case hex HMAC-SHA256 of the UTF-8 message; None without a message or a
    secret."""
    if message is None or not secret:
        return None
    return hmac.new(secret, message.encode("utf-8"), hashlib.sha256).hexdigest()


def _unregister(conn: DuckDBPyConnection) -> None:
    """At exit, drop the function from a connection its opener never closed (sqlfluff's
    dbt templater), else the Python bindings report the lambda as leaked memory."""
    with contextlib.suppress(duckdb.Error):  # closed already: nothing was left behind
        conn.remove_function(FUNCTION_NAME)


class Plugin(BasePlugin):
    """dbt-duckdb plugin: registers `widget_key_hmac` with the secret of the environment
    the dbt process runs in."""

    def configure_connection(self, conn: DuckDBPyConnection) -> None:
        secret = os.environ.get(SECRET_ENV_VAR, "").encode("utf-8")
        conn.create_function(
            FUNCTION_NAME,
            lambda message: widget_key(message, secret),
            [VARCHAR],
            VARCHAR,
            null_handling="special",
        )
        atexit.register(_unregister, conn)
