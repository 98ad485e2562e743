"""The read models as a projection of the event log.

:func:`changes` turns events (with their seq) into a :class:`ChangeSet`, the
one place that says how each event touches the read models. A change set is
carried out two ways: :func:`write_changes` runs it as SQL inside the
command's transaction, and :class:`Projection` folds it into rows in memory —
what the tables must hold for a given log, used to verify them on start and to
rebuild them if they ever disagree. :func:`table_summary` and :func:`state_summary`
are the quick version of that check: counts and totals, compared when a store opens.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, insert, select, update

from matchweek.soap import (
    ApplicationSubmitted,
    Event,
    OfferAccepted,
    OfferExpired,
    OfferExtended,
    OfferRejected,
    OfferStatus,
    PreferenceListCertified,
    SoapStarted,
    SoapState,
)
from matchweek.store import schema

Row = dict[str, Any]
Key = tuple[str, ...]


@dataclass(slots=True)
class ChangeSet:
    """What some events do to the read models. Inserts come before updates when carried out."""

    standing_rows: list[Row] = field(default_factory=list)
    application_rows: list[Row] = field(default_factory=list)
    offer_rows: list[Row] = field(default_factory=list)
    offer_updates: list[Row] = field(default_factory=list)
    standing_deltas: dict[str, list[int]] = field(default_factory=dict)
    """Per program: [change in accepted, change in outstanding]."""
    preference_rows: dict[str, Row] = field(default_factory=dict)
    """Per program: the last list certified among these events."""

    def add(self, seq: int, event: Event) -> None:
        """Record what ``event`` (number ``seq`` of the log) does to the read models."""
        kind = type(event)
        if kind is ApplicationSubmitted:
            assert isinstance(event, ApplicationSubmitted)
            self.application_rows.append(
                {
                    "applicant": event.applicant,
                    "program": event.program,
                    "personal_statement": event.personal_statement,
                    "letters": list(event.letters),
                    "submitted_at": event.at.minutes,
                    "seq": seq,
                }
            )
        elif kind is OfferExtended:
            assert isinstance(event, OfferExtended)
            self.offer_rows.append(
                {
                    "program": event.program,
                    "applicant": event.applicant,
                    "round": event.round,
                    "status": OfferStatus.OPEN.value,
                    "automatic": False,
                    "extended_seq": seq,
                    "resolved_seq": None,
                }
            )
            self._delta(event.program, 0, 1)
        elif kind is OfferAccepted or kind is OfferRejected or kind is OfferExpired:
            assert isinstance(event, OfferAccepted | OfferRejected | OfferExpired)
            status = _RESOLUTION[kind]
            automatic = isinstance(event, OfferRejected) and event.automatic
            self.offer_updates.append(
                {
                    "k_program": event.program,
                    "k_applicant": event.applicant,
                    "status": status.value,
                    "automatic": automatic,
                    "resolved_seq": seq,
                }
            )
            self._delta(event.program, 1 if status is OfferStatus.ACCEPTED else 0, -1)
        elif kind is PreferenceListCertified:
            assert isinstance(event, PreferenceListCertified)
            self.preference_rows[event.program] = {
                "program": event.program,
                "applicants": list(event.applicants),
                "certified_at": event.at.minutes,
                "seq": seq,
            }
        elif kind is SoapStarted:
            assert isinstance(event, SoapStarted)
            for p in event.programs:
                self.standing_rows.append(
                    {
                        "program": p.code,
                        "track": p.track.value,
                        "specialty": p.specialty,
                        "state": p.state,
                        "positions": p.open,
                        "accepted": 0,
                        "outstanding": 0,
                    }
                )

    def _delta(self, program: str, accepted: int, outstanding: int) -> None:
        delta = self.standing_deltas.setdefault(program, [0, 0])
        delta[0] += accepted
        delta[1] += outstanding


_RESOLUTION = {
    OfferAccepted: OfferStatus.ACCEPTED,
    OfferRejected: OfferStatus.REJECTED,
    OfferExpired: OfferStatus.EXPIRED,
}


def changes(numbered: Iterable[tuple[int, Event]]) -> ChangeSet:
    """The change set of events numbered by their seq."""
    out = ChangeSet()
    for seq, event in numbered:
        out.add(seq, event)
    return out


_UPDATE_OFFER = (
    update(schema.offers)
    .where(schema.offers.c.program == bindparam("k_program"))
    .where(schema.offers.c.applicant == bindparam("k_applicant"))
    .values(
        status=bindparam("status"), automatic=bindparam("automatic"), resolved_seq=bindparam("resolved_seq")
    )
)
_UPDATE_STANDING = (
    update(schema.program_standing)
    .where(schema.program_standing.c.program == bindparam("k_program"))
    .values(
        accepted=schema.program_standing.c.accepted + bindparam("d_accepted"),
        outstanding=schema.program_standing.c.outstanding + bindparam("d_outstanding"),
    )
)


def write_changes(conn: Connection, change_set: ChangeSet) -> None:
    """Carry out ``change_set`` on the read model tables, within the caller's transaction."""
    c = change_set
    if c.standing_rows:
        conn.execute(insert(schema.program_standing), c.standing_rows)
    if c.application_rows:
        conn.execute(insert(schema.applications), c.application_rows)
    if c.offer_rows:
        conn.execute(insert(schema.offers), c.offer_rows)
    if c.offer_updates:
        conn.execute(_UPDATE_OFFER, c.offer_updates)
    if c.standing_deltas:
        conn.execute(
            _UPDATE_STANDING,
            [
                {"k_program": code, "d_accepted": d[0], "d_outstanding": d[1]}
                for code, d in sorted(c.standing_deltas.items())
            ],
        )
    if c.preference_rows:
        codes = sorted(c.preference_rows)
        conn.execute(delete(schema.preference_lists).where(schema.preference_lists.c.program.in_(codes)))
        conn.execute(insert(schema.preference_lists), [c.preference_rows[code] for code in codes])


# --- the whole projection in memory -------------------------------------------------------------


@dataclass(slots=True)
class Projection:
    """The rows the read model tables must hold after a log, keyed by their primary keys."""

    applications: dict[tuple[str, str], Row] = field(default_factory=dict)
    offers: dict[tuple[str, str], Row] = field(default_factory=dict)
    preference_lists: dict[str, Row] = field(default_factory=dict)
    program_standing: dict[str, Row] = field(default_factory=dict)

    def fold(self, change_set: ChangeSet) -> None:
        """Carry out ``change_set`` on these rows, as :func:`write_changes` does on the tables."""
        c = change_set
        for row in c.standing_rows:
            self.program_standing[row["program"]] = dict(row)
        for row in c.application_rows:
            self.applications[(row["applicant"], row["program"])] = dict(row)
        for row in c.offer_rows:
            self.offers[(row["program"], row["applicant"])] = dict(row)
        for u in c.offer_updates:
            offer = self.offers[(u["k_program"], u["k_applicant"])]
            offer.update(status=u["status"], automatic=u["automatic"], resolved_seq=u["resolved_seq"])
        for code, (accepted, outstanding) in c.standing_deltas.items():
            standing = self.program_standing[code]
            standing["accepted"] += accepted
            standing["outstanding"] += outstanding
        self.preference_lists.update({code: dict(row) for code, row in c.preference_rows.items()})

    def tables(self) -> dict[str, dict[Key, Row]]:
        """The rows of each read model table by primary key, by table name."""
        return {
            "applications": self.applications,
            "offers": self.offers,
            "preference_lists": {(code,): row for code, row in self.preference_lists.items()},
            "program_standing": {(code,): row for code, row in self.program_standing.items()},
        }


def project(numbered: Iterable[tuple[int, Event]]) -> Projection:
    """The read models a log of (seq, event) leads to."""
    projection = Projection()
    projection.fold(changes(numbered))
    return projection


def stored_tables(conn: Connection) -> dict[str, dict[Key, Row]]:
    """The rows the read model tables hold, in the shape of :meth:`Projection.tables`."""
    out: dict[str, dict[Key, Row]] = {}
    for table in schema.READ_MODELS:
        key_names = [c.name for c in table.primary_key.columns]
        rows = (_normal(dict(row)) for row in conn.execute(select(table)).mappings())
        out[table.name] = {tuple(row[k] for k in key_names): row for row in rows}
    return out


def _normal(row: Row) -> Row:
    # SQLite hands booleans back as integers.
    if "automatic" in row:
        row["automatic"] = bool(row["automatic"])
    return row


def differences(
    expected: dict[str, dict[Key, Row]], stored: dict[str, dict[Key, Row]], limit: int = 5
) -> list[str]:
    """Up to ``limit`` lines naming read model rows that differ from what the log says."""
    out: list[str] = []
    for name, want in expected.items():
        have = stored.get(name, {})
        if want == have:
            continue
        for key in sorted(set(want) | set(have)):
            w, h = want.get(key), have.get(key)
            if w == h:
                continue
            where = f"{name} {'/'.join(key)}"
            if h is None:
                out.append(f"{where}: missing (the log has it)")
            elif w is None:
                out.append(f"{where}: not in the log")
            else:
                out.append(f"{where}: holds {h}, the log says {w}")
            if len(out) >= limit:
                return out
    return out


def rebuild(conn: Connection, projection: Projection) -> None:
    """Replace every read model row with the projection's, within the caller's transaction."""
    tables = projection.tables()
    for table in schema.READ_MODELS:
        conn.execute(delete(table))
        rows = list(tables[table.name].values())
        if rows:
            conn.execute(insert(table), rows)


# --- a quick check: counts and totals ----------------------------------------------------------


def table_summary(conn: Connection) -> dict[str, int]:
    """Row counts and totals of the read model tables (a few aggregate queries, however large)."""
    a, o, p, s = schema.applications, schema.offers, schema.preference_lists, schema.program_standing
    out = {"applications": conn.execute(select(func.count()).select_from(a)).scalar_one()}
    for status in OfferStatus:
        out[f"offers {status.value}"] = 0
    for status, count in conn.execute(select(o.c.status, func.count()).group_by(o.c.status)):
        out[f"offers {status}"] = count
    out["preference lists"] = conn.execute(select(func.count()).select_from(p)).scalar_one()
    programs, positions, accepted, outstanding = conn.execute(
        select(func.count(), func.sum(s.c.positions), func.sum(s.c.accepted), func.sum(s.c.outstanding))
    ).one()
    out.update(
        {
            "programs": programs,
            "positions": int(positions or 0),
            "accepted": int(accepted or 0),
            "outstanding": int(outstanding or 0),
        }
    )
    return out


def state_summary(state: SoapState, events: Iterable[Event]) -> dict[str, int]:
    """What :func:`table_summary` must find for the log ``events`` that led to ``state``."""
    out = {"applications": sum(len(a.applications) for a in state.applicants.values())}
    for status in OfferStatus:
        out[f"offers {status.value}"] = 0
    for offer in state.offers.values():
        out[f"offers {offer.status.value}"] += 1
    # The state cannot tell a list never certified from an empty one: count the certifications.
    out["preference lists"] = len({e.program for e in events if type(e) is PreferenceListCertified})
    programs = state.programs.values()
    out.update(
        {
            "programs": len(state.programs),
            "positions": sum(p.positions for p in programs),
            "accepted": sum(len(p.accepted) for p in programs),
            "outstanding": sum(len(p.outstanding) for p in programs),
        }
    )
    return out
