"""The widget key's HMAC-SHA256: RFC 4231's test vectors, Python's `hmac` on e-mails, and
the DuckDB function the dbt-duckdb plugin registers (null without a secret)."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable

import duckdb
import pytest

from customer360.widget_key import FUNCTION_NAME, SECRET_ENV_VAR, Plugin, widget_key

# RFC 4231, test cases 1, 2 and 6 (a key longer than the 64-byte block, hashed first)
RFC_4231 = [
    (b"\x0b" * 20, b"Hi There", "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
    (
        b"Jefe",
        b"what do ya want for nothing?",
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    ),
    (
        b"\xaa" * 131,
        b"Test Using Larger Than Block-Size Key - Hash Key First",
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
    ),
]


@pytest.mark.parametrize(("key", "data", "expected"), RFC_4231)
def test_the_rfc_4231_vectors(key, data, expected) -> None:
    assert widget_key(data.decode(), key) == expected


@pytest.fixture
def connection(monkeypatch) -> Callable[[str | None], duckdb.DuckDBPyConnection]:
    """Opens a connection configured by the plugin under a given secret (None: unset)."""

    def connect(secret: str | None) -> duckdb.DuckDBPyConnection:
        if secret is None:
            monkeypatch.delenv(SECRET_ENV_VAR, raising=False)
        else:
            monkeypatch.setenv(SECRET_ENV_VAR, secret)
        opened = duckdb.connect()
        Plugin(name="widget_key", plugin_config={}).configure_connection(opened)
        return opened

    return connect


def test_the_function_is_pythons_hmac_of_the_utf8_text(connection) -> None:
    db = connection("a secret, with ünïcode")
    emails = ["anna.rossi@example.com", "zoë.kowalski@example.net", "", "x" * 1000]
    got = db.execute(
        f"select {FUNCTION_NAME}(email) from unnest(?) as t(email) order by all",
        [emails],
    ).fetchall()
    secret = "a secret, with ünïcode".encode()
    expected = sorted(hmac.new(secret, e.encode(), hashlib.sha256).hexdigest() for e in emails)
    assert [key for (key,) in got] == expected
    assert db.execute(f"select {FUNCTION_NAME}(null)").fetchall() == [(None,)]
    # another secret gives other keys; no key is a plain hash of the e-mail
    other = connection("another secret")
    [(another,)] = other.execute(f"select {FUNCTION_NAME}('anna.rossi@example.com')").fetchall()
    assert another not in expected
    assert hashlib.sha256(b"anna.rossi@example.com").hexdigest() not in expected


@pytest.mark.parametrize("secret", [None, ""])
def test_without_a_secret_the_key_is_null(connection, secret) -> None:
    db = connection(secret)
    assert db.execute(f"select {FUNCTION_NAME}('anna.rossi@example.com')").fetchall() == [(None,)]
