"""Demo data for the portal: a generated market with its Main Match done and an account for each role."""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass

from matchweek.model import Policy, SoapProgram
from matchweek.soap import Kind, SoapEntrant, kind_of, needs, soap_universe
from matchweek.soap.positions import held_kind
from matchweek.store.accounts import Role
from matchweek.store.errors import StoreError
from matchweek.store.service import Store
from matchweek.synth import generate_market

DEMO_PROGRAMS = 3
DEMO_APPLICANTS = 4
OPERATOR = "operator"


@dataclass(frozen=True)
class DemoAccounts:
    """The demo accounts: one password for all, the operator, and who each other account is.

    ``programs`` maps each program director's username to the program code it
    manages; ``applicants`` maps each applicant's username to its applicant id.
    """

    password: str
    operator: str
    programs: dict[str, str]
    applicants: dict[str, str]

    def usernames(self) -> tuple[str, ...]:
        """Every demo username: the operator, then program directors, then applicants."""
        return (self.operator, *self.programs, *self.applicants)


def seed_demo(
    store: Store, *, scale: str = "small", seed: int = 1, password: str | None = None
) -> DemoAccounts:
    """Load ``generate_market(scale, seed)``, run the Main Match and create the demo accounts.

    Accounts: ``operator``; ``program-<code>`` for a few programs taking part in
    SOAP (one of each kind of position where the market has one, then those with
    the most open positions); ``applicant-<id>`` for a few SOAP entrants who are
    eligible and may see and apply to those programs (unmatched ones, and a
    partially matched one whose missing half a demo program offers). All share
    ``password`` (a random one when None). SOAP is not started: the operator
    starts it. StoreError if SOAP has already started or a demo username is taken.
    """
    market = generate_market(scale, seed)
    store.load_market(market, actor="system")
    result = store.run_main_match(actor="system")
    universe = soap_universe(market, result, Policy())
    programs = _demo_programs(universe.programs)
    if not programs:
        raise StoreError(f"the {scale} market with seed {seed} leaves no program for SOAP; try another seed")
    applicants = _demo_applicants(
        universe.applicants, {kind_of(p.track) for p in programs}, random.Random(seed)
    )
    chosen_password = password if password is not None else secrets.token_urlsafe(12)

    store.create_account(OPERATOR, chosen_password, Role.OPERATOR, display_name="Clearinghouse operator")
    program_accounts: dict[str, str] = {}
    for p in programs:
        username = f"program-{p.code}"
        store.create_account(
            username,
            chosen_password,
            Role.PROGRAM,
            programs=(p.code,),
            display_name=f"Program director, {p.name or p.code}",
        )
        program_accounts[username] = p.code
    applicant_accounts: dict[str, str] = {}
    for a in applicants:
        username = f"applicant-{a.id}"
        store.create_account(
            username, chosen_password, Role.APPLICANT, applicant=a.id, display_name=f"Applicant {a.id}"
        )
        applicant_accounts[username] = a.id
    return DemoAccounts(chosen_password, OPERATOR, program_accounts, applicant_accounts)


def _demo_programs(programs: tuple[SoapProgram, ...]) -> list[SoapProgram]:
    """One program of each kind of position (the one with most open positions), then the roomiest others."""
    ranked = sorted(programs, key=lambda p: (-p.open, p.code))
    chosen: list[SoapProgram] = []
    for kind in (Kind.FULL, Kind.PGY1_ONLY, Kind.ADVANCED):
        first = next((p for p in ranked if kind_of(p.track) is kind), None)
        if first is not None:
            chosen.append(first)
    for p in ranked:
        if len(chosen) >= DEMO_PROGRAMS:
            break
        if p not in chosen:
            chosen.append(p)
    return sorted(chosen[:DEMO_PROGRAMS], key=lambda p: p.code)


def _demo_applicants(
    entrants: tuple[SoapEntrant, ...], kinds: set[Kind], rng: random.Random
) -> list[SoapEntrant]:
    """Eligible entrants with documents who may apply to a demo program: mostly unmatched, and one
    partially matched applicant if a demo program offers the half it misses."""
    eligible = [
        a for a in entrants if a.verified and a.can_start_july_1 and a.personal_statements and a.letters
    ]
    unmatched = sorted((a for a in eligible if a.holds is None), key=lambda a: a.id)
    partial = sorted(
        (a for a in eligible if a.holds is not None and needs(frozenset({held_kind(a.holds)})) & kinds),
        key=lambda a: a.id,
    )
    chosen = rng.sample(partial, 1) if partial else []
    want = DEMO_APPLICANTS - len(chosen)
    chosen += rng.sample(unmatched, min(want, len(unmatched)))
    return sorted(chosen, key=lambda a: a.id)
