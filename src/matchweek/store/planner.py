"""The applicant planner's records: each applicant's planning profile and program tracker.

A profile is kept as its ``matchweek.profile/1`` document; a tracker as one row per
program, in the applicant's order, with the tracker's columns (``matchweek.plan.tracker``)
but ``applied``, which the applications read model shows. The store keeps what it is
given: checking a profile or a tracker is the planner's job, done before saving. Every
save is one transaction, so a tracker is replaced whole or not at all, and each names the
account that made it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select
from sqlalchemy.exc import IntegrityError

from matchweek.store import schema
from matchweek.store.database import Database
from matchweek.store.errors import StoreError, check_actor
from matchweek.store.service import Store

PROFILE_FORMAT = "matchweek.profile/1"

_KEY = ("applicant", "program", "position")
_STAMP = ("updated_by", "updated_at")

TRACKER_FIELDS: tuple[str, ...] = tuple(
    c.name for c in schema.planner_tracker.c if c.name not in (*_KEY, *_STAMP)
)
"""What the tracker keeps about each program besides its code, in column order."""

TrackerRecord = dict[str, Any]
"""One tracked program: ``program`` and the :data:`TRACKER_FIELDS` (None where blank)."""

_FLAGS = frozenset({"j1", "h1b"})


def planner_profile(store: Store, applicant: str) -> dict[str, Any] | None:
    """The applicant's saved profile document, or None when it has saved none."""
    t = schema.planner_profiles
    with _database(store).reading() as conn:
        row = conn.execute(select(t.c.document).where(t.c.applicant == applicant)).first()
    return dict(row.document) if row is not None else None


def save_planner_profile(store: Store, applicant: str, document: Mapping[str, Any], *, actor: str) -> None:
    """Keep ``document`` (a checked ``matchweek.profile/1`` document) as the applicant's profile."""
    _check_owner(applicant, actor)
    if not isinstance(document, Mapping) or document.get("format") != PROFILE_FORMAT:
        raise StoreError(f"{applicant}: a planning profile is a {PROFILE_FORMAT} document")
    t = schema.planner_profiles
    with _database(store).writing() as conn:
        conn.execute(delete(t).where(t.c.applicant == applicant))
        conn.execute(insert(t), [{"applicant": applicant, "document": dict(document), **_stamp(actor)}])


def forget_planner_profile(store: Store, applicant: str, *, actor: str) -> bool:
    """Drop the applicant's saved profile (the planner derives one again); whether there was one."""
    _check_owner(applicant, actor)
    t = schema.planner_profiles
    with _database(store).writing() as conn:
        return conn.execute(delete(t).where(t.c.applicant == applicant)).rowcount > 0


def planner_tracker(store: Store, applicant: str) -> list[TrackerRecord]:
    """The applicant's tracked programs in its order (empty when it tracks none)."""
    t = schema.planner_tracker
    columns = [t.c.program, *(t.c[name] for name in TRACKER_FIELDS)]
    query = select(*columns).where(t.c.applicant == applicant).order_by(t.c.position, t.c.program)
    with _database(store).reading() as conn:
        return [dict(row._mapping) for row in conn.execute(query)]


def save_planner_tracker(
    store: Store, applicant: str, records: Sequence[Mapping[str, Any]], *, actor: str
) -> None:
    """Replace the applicant's whole tracker with ``records``, in their order, in one transaction."""
    _check_owner(applicant, actor)
    rows = [_row(applicant, i, r, actor) for i, r in enumerate(records)]
    seen: set[str] = set()
    for i, row in enumerate(rows):
        if row["program"] in seen:
            raise StoreError(f"{applicant}: tracker[{i}]: program {row['program']!r} is tracked twice")
        seen.add(row["program"])
    t = schema.planner_tracker
    with _writing(store, applicant) as conn:
        conn.execute(delete(t).where(t.c.applicant == applicant))
        if rows:
            conn.execute(insert(t), rows)


def save_tracker_record(store: Store, applicant: str, record: Mapping[str, Any], *, actor: str) -> None:
    """Replace one tracked program's row, keeping its place; a program not tracked yet goes last."""
    _check_owner(applicant, actor)
    row = _row(applicant, 0, record, actor)
    t = schema.planner_tracker
    mine = t.c.applicant == applicant
    with _writing(store, applicant) as conn:
        place = conn.execute(select(t.c.position).where(mine, t.c.program == row["program"])).scalar()
        if place is None:
            last = conn.execute(select(func.max(t.c.position)).where(mine)).scalar()
            place = 0 if last is None else last + 1
        conn.execute(delete(t).where(mine, t.c.program == row["program"]))
        conn.execute(insert(t), [{**row, "position": place}])


def remove_tracker_record(store: Store, applicant: str, program: str, *, actor: str) -> bool:
    """Stop tracking ``program``; whether it was tracked."""
    _check_owner(applicant, actor)
    t = schema.planner_tracker
    with _writing(store, applicant) as conn:
        return conn.execute(delete(t).where(t.c.applicant == applicant, t.c.program == program)).rowcount > 0


# --- helpers -------------------------------------------------------------------------------------


def _database(store: Store) -> Database:
    # The planner's tables live beside the event log, in the store's own database.
    return store.database


@contextmanager
def _writing(store: Store, applicant: str) -> Iterator[Connection]:
    """A write transaction on the store's database; of two saves racing on one tracker, the one that
    would collide with the other is a StoreError, never a half-merged tracker."""
    try:
        with _database(store).writing() as conn:
            yield conn
    except IntegrityError:
        raise StoreError(
            f"{applicant}: the tracker was changed at the same moment elsewhere; try again"
        ) from None


def _check_owner(applicant: str, actor: str) -> None:
    check_actor(actor)
    if not isinstance(applicant, str) or not 1 <= len(applicant) <= 64:
        raise StoreError(f"planner records belong to an applicant id (1 to 64 characters), got {applicant!r}")


def _row(applicant: str, position: int, record: Mapping[str, Any], actor: str) -> dict[str, Any]:
    """The table row of one tracked program; StoreError naming the record for a malformed one."""
    where = f"{applicant}: tracker[{position}]"
    unknown = sorted(set(record) - {"program", *TRACKER_FIELDS})
    if unknown:
        raise StoreError(f"{where}: unknown field {unknown[0]!r}")
    program = record.get("program")
    if not isinstance(program, str) or not 1 <= len(program) <= 64:
        raise StoreError(f"{where}: program: a code of 1 to 64 characters, got {program!r}")
    fields = {name: record.get(name) for name in TRACKER_FIELDS}
    for name in _FLAGS:
        fields[name] = bool(fields[name])
    return {"applicant": applicant, "program": program, "position": position, **fields, **_stamp(actor)}


def _stamp(actor: str) -> dict[str, Any]:
    return {"updated_by": actor, "updated_at": datetime.now(UTC)}
