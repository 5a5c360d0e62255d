"""Errors a user can act on. The CLI prints their message (no traceback) and exits 1."""


class UserError(Exception):
    """A problem with the user's input or setup, with a message that says what to do."""
