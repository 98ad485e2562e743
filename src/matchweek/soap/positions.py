"""Kinds of SOAP position and what an applicant still needs (rule book §4, §5)."""

from __future__ import annotations

from enum import StrEnum

from matchweek.model import Holding, Track


class Kind(StrEnum):
    """The kind of position a program track offers, as SOAP's needs see it."""

    FULL = "full"
    """Full training from PGY-1: categorical and reserved tracks."""
    PGY1_ONLY = "pgy1_only"
    """One PGY-1 year: preliminary and transitional tracks."""
    ADVANCED = "advanced"
    """Starts at PGY-2 and needs a PGY-1 year elsewhere."""


def kind_of(track: Track) -> Kind:
    """The kind of position ``track`` offers (reserved counts as full training)."""
    if track is Track.ADVANCED:
        return Kind.ADVANCED
    if track.is_pgy1_only:
        return Kind.PGY1_ONLY
    return Kind.FULL


def held_kind(holding: Holding) -> Kind:
    """The kind of position a partially matched applicant holds from the Main Match."""
    return Kind.ADVANCED if holding is Holding.ADVANCED else Kind.PGY1_ONLY


_NOTHING: frozenset[Kind] = frozenset()
_EVERYTHING = frozenset(Kind)


def needs(holds: frozenset[Kind]) -> frozenset[Kind]:
    """The kinds of position an applicant holding ``holds`` may still take (§5).

    Holding nothing it needs a full position, or a PGY-1-only one together with
    an advanced one; holding full training, or both halves, it needs nothing;
    holding one half, it needs only the other.
    """
    if not holds:
        return _EVERYTHING
    if Kind.FULL in holds or (Kind.PGY1_ONLY in holds and Kind.ADVANCED in holds):
        return _NOTHING
    if Kind.PGY1_ONLY in holds:
        return frozenset({Kind.ADVANCED})
    return frozenset({Kind.PGY1_ONLY})


def is_pair(kinds: list[Kind]) -> bool:
    """Whether two kinds are one PGY-1-only and one advanced position, the only pair one may accept."""
    return sorted(kinds) == sorted([Kind.PGY1_ONLY, Kind.ADVANCED])
