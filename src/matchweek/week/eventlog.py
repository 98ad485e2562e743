"""The SOAP event log as a file: JSON Lines, one event per line, in the order they happened.

Each line is ``soap.event_to_dict(event)`` (its kind under ``"type"``, times in minutes since
Monday 00:00), so a log can be read back with :func:`read_event_log` and replayed with
``soap.replay`` to the very state that produced it.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import orjson

from matchweek.errors import Fault, FormatError
from matchweek.formats.fileio import atomic_write, read_bytes
from matchweek.soap import Event, event_from_dict, event_to_dict


def event_log_bytes(events: Iterable[Event]) -> bytes:
    """The log's text: one compact JSON object per line, each line ending in a newline."""
    return b"".join(orjson.dumps(event_to_dict(e), option=orjson.OPT_APPEND_NEWLINE) for e in events)


def write_event_log(events: Iterable[Event], path: str | Path) -> None:
    """Write the log atomically: readers see the old file or the whole new one."""
    atomic_write(path, event_log_bytes(events))


def read_event_log(path: str | Path) -> tuple[Event, ...]:
    """The events in the log at ``path``; a bad line is a FormatError naming its line number."""
    events = []
    for number, line in enumerate(read_bytes(path).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            events.append(event_from_dict(orjson.loads(line)))
        except orjson.JSONDecodeError as e:
            raise FormatError(Fault(f"line {number}", f"not valid JSON: {e}"), str(path)) from None
        except FormatError as e:
            faults = [
                Fault(f"line {number}: {f.where}" if f.where else f"line {number}", f.message)
                for f in e.faults
            ]
            raise FormatError(faults, str(path)) from None
    return tuple(events)
