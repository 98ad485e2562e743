"""The SOAP event log as table rows: one row per event, numbered 1, 2, 3, ... without gaps."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from matchweek.soap import Event, event_to_dict
from matchweek.store import schema
from matchweek.store.clock import as_utc
from matchweek.store.decoding import decode_event
from matchweek.store.errors import StoreError


@dataclass(frozen=True)
class StoredEvent:
    """One event of the log: its place, what happened, who caused it and when it was committed.

    ``actor`` is the username behind the command ("clock" for the schedule,
    "system" for loads); ``recorded_at`` the wall-clock time (UTC) of the
    transaction that recorded it.
    """

    seq: int
    event: Event
    actor: str
    recorded_at: datetime


def event_row(stored: StoredEvent) -> dict[str, Any]:
    """The ``soap_events`` row of ``stored``."""
    payload = event_to_dict(stored.event)
    return {
        "seq": stored.seq,
        "type": payload["type"],
        "payload": payload,
        "actor": stored.actor,
        "recorded_at": stored.recorded_at,
    }


def stored_event(row: Any) -> StoredEvent:
    """The event a ``soap_events`` row holds; a row that does not decode raises StoreError naming its seq."""
    try:
        event = decode_event(row.payload)
    except Exception as e:  # a hand-edited or foreign row: say which one
        raise StoreError(f"event log seq {row.seq}: cannot be read back: {e}") from None
    return StoredEvent(row.seq, event, row.actor, as_utc(row.recorded_at))


def read_events(conn: Connection, *, since: int = 0, limit: int | None = None) -> list[StoredEvent]:
    """Events with seq above ``since``, in order, at most ``limit`` of them."""
    query = (
        select(schema.soap_events).where(schema.soap_events.c.seq > since).order_by(schema.soap_events.c.seq)
    )
    if limit is not None:
        query = query.limit(limit)
    return [stored_event(row) for row in conn.execute(query)]


def read_log(conn: Connection) -> list[tuple[int, Event]]:
    """The whole log as (seq, event) in order: what a replay needs, read as fast as it can be."""
    t = schema.soap_events
    out = []
    for seq, payload in conn.execute(select(t.c.seq, t.c.payload).order_by(t.c.seq)):
        try:
            out.append((seq, decode_event(payload)))
        except Exception as e:  # a hand-edited or foreign row: say which one
            raise StoreError(f"event log seq {seq}: cannot be read back: {e}") from None
    return out


def check_gap_free(seqs: Iterable[int], after: int = 0) -> None:
    """StoreError unless the seq numbers run ``after + 1``, ``after + 2``, ... in order."""
    expected = after + 1
    for seq in seqs:
        if seq != expected:
            raise StoreError(f"the event log jumps from seq {expected - 1} to {seq}; it must have no gaps")
        expected += 1
