"""The store's own refusal: something asked of the clearinghouse's records that cannot be done."""

from __future__ import annotations

from matchweek.errors import MatchweekError


class StoreError(MatchweekError):
    """A store-level refusal, one line: a duplicate username, no market loaded, SOAP already started,
    a command that could not be recorded. Nothing it asked for happened."""
