"""The store's own refusal: something asked of the clearinghouse's records that cannot be done."""

from __future__ import annotations

from matchweek.errors import MatchweekError


class StoreError(MatchweekError):
    """A store-level refusal, one line: a duplicate username, no market loaded, SOAP already started,
    a command that could not be recorded. Nothing it asked for happened."""


def check_actor(actor: str) -> None:
    """Every change is attributed: StoreError unless ``actor`` is a username of 1 to 100 characters."""
    if not isinstance(actor, str) or not actor.strip() or len(actor) > 100:
        raise StoreError(
            f"every change is attributed: actor must be a username of 1 to 100 characters, got {actor!r}"
        )
