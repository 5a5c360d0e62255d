"""Errors a user can act on. The CLI prints their message (no traceback) and exits 1."""

import os


class UserError(Exception):
    """A problem with the user's input or setup, with a message that says what to do."""


def die_at(point: str) -> None:
    """The crash tests' hook: exit at once (`os._exit(9)`, no cleanup, as if killed) when
    the environment's C360_FAULT names this point, e.g. `ingest:after-commit` or
    `publish:before-switch`. Without C360_FAULT it does nothing."""
    if os.environ.get("C360_FAULT") == point:
        os._exit(9)
