"""How an applicant answers the offers of one round (§5).

It takes the best acceptable bundle: one offer, or, needing both halves of a
training path, one PGY-1-only and one advanced offer together; a bundle is
acceptable when its utility is above the applicant's reservation value. While
rounds remain, some applicants hold out when the best is only marginally above
reservation, hoping for better. Offers it will not take are rejected, except a
share it simply lets expire. Offers an acceptance makes unneeded are left to the
clearinghouse, which rejects them itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import product

from matchweek.soap.positions import Kind, needs


@dataclass(frozen=True)
class ResponseBehaviour:
    """When applicants hold out on offers and how many declined offers they let expire."""

    holdout_margin: float = 0.5
    """An offer within this much of its reservation value counts as marginal."""
    holdout_share: float = 0.3
    """Chance that an applicant holds out on a marginal best offer while rounds remain."""
    expire_share: float = 0.25
    """Chance that an offer it will not take is left to expire rather than rejected."""


@dataclass(frozen=True, slots=True)
class OfferInHand:
    """An open offer as its applicant weighs it."""

    program: str
    kind: Kind
    utility: float
    expire_draw: float = 1.0
    """Uniform draw in (0, 1): the offer, if declined, expires when below ``expire_share``."""


@dataclass(frozen=True, slots=True)
class Answer:
    """What an applicant does with its open offers: accept some, reject some, let the rest expire.

    ``expire`` lists only offers it declines by not answering; offers that an
    acceptance makes unneeded are in none of the three.
    """

    accept: tuple[str, ...] = ()
    reject: tuple[str, ...] = ()
    expire: tuple[str, ...] = ()
    held_out: bool = False


def bundles(offers: Sequence[OfferInHand], wanted: frozenset[Kind]) -> list[tuple[OfferInHand, ...]]:
    """Every set of offers the applicant may accept together: single offers of a kind it needs, and
    one PGY-1-only with one advanced offer when it needs both."""
    out: list[tuple[OfferInHand, ...]] = [(o,) for o in offers if o.kind in wanted]
    if Kind.PGY1_ONLY in wanted and Kind.ADVANCED in wanted:
        pgy1 = [o for o in offers if o.kind is Kind.PGY1_ONLY]
        advanced = [o for o in offers if o.kind is Kind.ADVANCED]
        out.extend(product(pgy1, advanced))
    return out


def answer_offers(
    offers: Sequence[OfferInHand],
    wanted: frozenset[Kind],
    holds: frozenset[Kind],
    reservation: float,
    *,
    last_round: bool,
    holdout_draw: float,
    behaviour: ResponseBehaviour,
) -> Answer:
    """The applicant's answer to its open ``offers`` in one round.

    ``wanted`` is what it still needs, ``holds`` what it holds (to tell which
    offers an acceptance makes unneeded); ``holdout_draw`` is its uniform draw in
    (0, 1) for this round. The best bundle above ``reservation`` is accepted
    (ties: the program codes first in order), unless it is within
    ``holdout_margin`` of reservation, rounds remain and ``holdout_draw`` falls
    below ``holdout_share``. Every offer not accepted that stays open is declined.
    """
    options = [b for b in bundles(offers, wanted) if sum(o.utility for o in b) > reservation]
    best: tuple[OfferInHand, ...] = ()
    held_out = False
    if options:
        best = min(options, key=lambda b: (-sum(o.utility for o in b), sorted(o.program for o in b)))
        margin = sum(o.utility for o in best) - reservation
        if not last_round and margin < behaviour.holdout_margin and holdout_draw < behaviour.holdout_share:
            best, held_out = (), True
    still = needs(holds | {o.kind for o in best}) if best else wanted
    taken = {o.program for o in best}
    declined = [o for o in offers if o.program not in taken and o.kind in still]
    return Answer(
        accept=tuple(sorted(taken)),
        reject=tuple(sorted(o.program for o in declined if o.expire_draw >= behaviour.expire_share)),
        expire=tuple(sorted(o.program for o in declined if o.expire_draw < behaviour.expire_share)),
        held_out=held_out,
    )
