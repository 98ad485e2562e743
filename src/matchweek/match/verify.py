"""An independent check of a Main Match result against its market (rule book §1).

Written from the rules, in plain Python, sharing no code with the engine: a mistake in the
kernel cannot hide in the check. It checks that every position held is a mutual ranking on the
right list (primary list, the supplemental list linked to the advanced program held, or a pair
on a couple's list), that no program holds more than its quota after reversions, that unfilled
counts and statuses are what the rules give, and that there is no blocking pair or couple other
than those the result reports in ``instabilities`` (and that each of those is real).

Blocking follows Kojima, Pathak and Roth (2013): a program would take applicants ``S`` (one
applicant, or both partners of a couple naming it twice) when at most ``quota - len(S)`` of its
holders other than ``S`` rank above the lowest-ranked of ``S``. An applicant's own seat there is
free for itself; a partner's seat is not free for the other partner.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass

from matchweek.model import Market, MatchResult, MatchStatus, Track


@dataclass(frozen=True, slots=True)
class Violation:
    """One way a result breaks the rules: which rule, about whom, and what is wrong."""

    rule: str
    message: str
    applicant: str | None = None
    couple: tuple[str, str] | None = None
    programs: tuple[str | None, ...] = ()

    def __str__(self) -> str:
        who = []
        if self.couple is not None:
            who.append(f"couple {self.couple[0]}+{self.couple[1]}")
        if self.applicant is not None:
            who.append(f"applicant {self.applicant}")
        if self.programs:
            label = "programs" if len(self.programs) > 1 else "program"
            who.append(f"{label} " + ", ".join("(no match)" if p is None else p for p in self.programs))
        subject = " / ".join(who)
        return f"{self.rule}: {subject}: {self.message}" if subject else f"{self.rule}: {self.message}"


_BlockKey = tuple[str, object, tuple[str | None, ...]]


class _Checker:
    def __init__(self, market: Market, result: MatchResult) -> None:
        self.market = market
        self.result = result
        self.out: list[Violation] = []
        self.programs = {p.code: p for p in market.programs}
        self.applicants = {a.id: a for a in market.applicants}
        self.rank = {p.code: {x: r for r, x in enumerate(p.rank_list)} for p in market.programs}
        self.couple_of: dict[str, tuple[str, str]] = {}
        self.couples = {}
        for c in market.couples:
            self.couples[c.members] = c
            for m in c.members:
                self.couple_of[m] = c.members
        self.holders: dict[str, list[str]] = defaultdict(list)
        self.holds: dict[str, list[str]] = defaultdict(list)
        # Per single applicant: index of the primary entry held and of the supplemental entry held.
        self.primary_at: dict[str, int] = {}
        self.supp_at: dict[str, int] = {}
        self.pair_at: dict[tuple[str, str], int] = {}
        self.capacity: dict[str, int] = {}
        self.sorted_ranks: dict[str, list[int]] = {}

    def add(self, rule: str, message: str, **who: object) -> None:
        self.out.append(Violation(rule, message, **who))  # type: ignore[arg-type]

    # -- positions held --------------------------------------------------------------------
    def read_matches(self) -> None:
        rows = [(m.applicant, m.program) for m in self.result.matches]
        if rows != sorted(rows):
            self.add("order", "matches are not sorted by applicant id, then program code")
        seen: set[tuple[str, str]] = set()
        for a, p in rows:
            if (a, p) in seen:
                self.add("duplicate_match", "the same position is listed twice", applicant=a, programs=(p,))
                continue
            seen.add((a, p))
            if a not in self.applicants:
                self.add(
                    "unknown_applicant", "matched applicant is not in the market", applicant=a, programs=(p,)
                )
                continue
            if p not in self.programs:
                self.add(
                    "unknown_program", "matched program is not in the market", applicant=a, programs=(p,)
                )
                continue
            if a not in self.rank[p]:
                self.add(
                    "not_ranked_by_program",
                    "the program did not rank this applicant",
                    applicant=a,
                    programs=(p,),
                )
            self.holders[p].append(a)
            self.holds[a].append(p)

    def read_singles(self) -> None:
        for a, progs in self.holds.items():
            if a in self.couple_of:
                continue
            app = self.applicants[a]
            entries = {e.program: (i, e.supplemental) for i, e in enumerate(app.rank_list)}
            if len(progs) > 2:
                self.add(
                    "too_many_positions", f"holds {len(progs)} positions", applicant=a, programs=tuple(progs)
                )
                continue
            if len(progs) == 1:
                (p,) = progs
                if p in entries:
                    self.primary_at[a] = entries[p][0]
                else:
                    self.add(
                        "not_ranked_by_applicant",
                        "the applicant did not rank this program",
                        applicant=a,
                        programs=(p,),
                    )
                continue
            # Two positions: an advanced program held from the primary list and a PGY-1
            # position from the supplemental list linked to that entry.
            placed = False
            for adv, pgy1 in (progs, progs[::-1]):
                if adv not in entries or self.programs[adv].track is not Track.ADVANCED:
                    continue
                i, name = entries[adv]
                linked = app.supplemental_lists.get(name, ()) if name is not None else ()
                if pgy1 in linked:
                    self.primary_at[a] = i
                    self.supp_at[a] = list(linked).index(pgy1)
                    placed = True
                    break
            if not placed:
                self.add(
                    "supplemental",
                    "holds two positions that are not an advanced program and a PGY-1 program from "
                    "the supplemental list linked to it",
                    applicant=a,
                    programs=tuple(progs),
                )

    def read_couples(self) -> None:
        for members, couple in self.couples.items():
            got = []
            for m in members:
                progs = self.holds.get(m, [])
                if len(progs) > 1:
                    self.add(
                        "too_many_positions",
                        f"holds {len(progs)} positions",
                        applicant=m,
                        programs=tuple(progs),
                    )
                got.append(progs[0] if progs else None)
            pair = (got[0], got[1])
            if pair == (None, None):
                continue
            if pair in couple.rank_list:
                self.pair_at[members] = couple.rank_list.index(pair)
            else:
                self.add(
                    "couple_pair",
                    "the couple holds a pair that is not on its list",
                    couple=members,
                    programs=pair,
                )

    # -- quotas after reversion --------------------------------------------------------------
    def capacities(self) -> None:
        donors: dict[str, list[str]] = defaultdict(list)
        for p in self.market.programs:
            if p.reverts_to is not None:
                donors[p.reverts_to].append(p.code)
        final: dict[str, int] = {}
        outflow: dict[str, int] = {}

        def settle(code: str, path: tuple[str, ...]) -> int:
            # Quota after reversions: own positions plus what every donor left unfilled.
            if code in final:
                return final[code]
            if code in path:
                self.add("reversion_cycle", "reversion targets form a cycle", programs=(*path, code))
                return self.programs[code].positions
            quota = self.programs[code].positions
            for d in donors.get(code, ()):
                settle(d, (*path, code))
                quota += outflow.get(d, 0)
            held = len(self.holders.get(code, ()))
            if self.programs[code].reverts_to is not None and self.programs[code].reverts_to in self.programs:
                outflow[code] = max(quota - held, 0)
                quota -= outflow[code]
            final[code] = quota
            return quota

        for code in self.programs:
            settle(code, ())
        self.capacity = final
        expected = {}
        for code, quota in final.items():
            held = len(self.holders.get(code, ()))
            if held > quota:
                self.add("capacity", f"holds {held} applicants for {quota} positions", programs=(code,))
            elif held < quota:
                expected[code] = quota - held
        for code in sorted(set(expected) | set(self.result.unfilled)):
            want, got = expected.get(code, 0), self.result.unfilled.get(code, 0)
            if want != got:
                self.add(
                    "unfilled", f"reported {got} unfilled positions, the rules give {want}", programs=(code,)
                )

    # -- statuses ----------------------------------------------------------------------------
    def statuses(self) -> None:
        for a in sorted(self.applicants):
            expected = self.expected_status(a)
            got = self.result.statuses.get(a)
            if got is None:
                self.add("status", "has no status in the result", applicant=a)
            elif got != expected:
                self.add("status", f"status is {got.value}, the rules give {expected.value}", applicant=a)
        for a in sorted(set(self.result.statuses) - set(self.applicants)):
            self.add("unknown_applicant", "has a status but is not in the market", applicant=a)

    def expected_status(self, a: str) -> MatchStatus:
        progs = [p for p in self.holds.get(a, []) if p in self.programs]
        if not progs:
            return MatchStatus.UNMATCHED
        tracks = {self.programs[p].track for p in progs}
        if Track.ADVANCED in tracks and not any(t.is_pgy1 for t in tracks):
            return MatchStatus.PARTIALLY_MATCHED
        if tracks <= {Track.PRELIMINARY, Track.TRANSITIONAL} and self.ranked_advanced(a):
            return MatchStatus.PARTIALLY_MATCHED
        return MatchStatus.MATCHED

    def ranked_advanced(self, a: str) -> bool:
        if a in self.couple_of:
            members = self.couple_of[a]
            side = members.index(a)
            ranked = [pair[side] for pair in self.couples[members].rank_list]
        else:
            ranked = [e.program for e in self.applicants[a].rank_list]
        return any(p in self.programs and self.programs[p].track is Track.ADVANCED for p in ranked)

    # -- blocking pairs and couples ----------------------------------------------------------
    def would_take(self, program: str, applicants: list[str]) -> bool:
        """Whether ``program`` would take all of ``applicants`` on top of its other holders."""
        ranks = self.rank[program]
        if any(m not in ranks for m in applicants):
            return False
        lowest = max(ranks[m] for m in applicants)
        holders = self.holders.get(program, ())
        above = bisect_left(self.holder_ranks(program), lowest)
        above -= sum(1 for m in applicants if m in holders and ranks[m] < lowest)
        return above + len(applicants) <= self.capacity[program]

    def holder_ranks(self, program: str) -> list[int]:
        """Ranks of the program's holders, sorted (one it did not rank, a violation, counts last)."""
        if program not in self.sorted_ranks:
            ranks = self.rank[program]
            self.sorted_ranks[program] = sorted(
                ranks.get(h, len(ranks)) for h in self.holders.get(program, ())
            )
        return self.sorted_ranks[program]

    def blocking(self) -> set[_BlockKey]:
        found: set[_BlockKey] = set()
        for a, app in self.applicants.items():
            if a in self.couple_of:
                continue
            held = self.primary_at.get(a, len(app.rank_list))
            if a in self.holds and a not in self.primary_at:
                continue  # what it holds is already a violation; no preference to compare with
            for e in app.rank_list[:held]:
                if e.program in self.programs and self.would_take(e.program, [a]):
                    found.add(("applicant", a, (e.program,)))
            if a in self.primary_at:
                entry = app.rank_list[self.primary_at[a]]
                if entry.supplemental is not None:
                    lst = app.supplemental_lists.get(entry.supplemental, ())
                    for p in lst[: self.supp_at.get(a, len(lst))]:
                        if p in self.programs and self.would_take(p, [a]):
                            found.add(("applicant", a, (p,)))
        for members, couple in self.couples.items():
            if any(m in self.holds for m in members) and members not in self.pair_at:
                continue
            held = self.pair_at.get(members, len(couple.rank_list))
            for pair in couple.rank_list[:held]:
                wanted: dict[str, list[str]] = defaultdict(list)
                for m, p in zip(members, pair, strict=True):
                    if p is not None:
                        wanted[p].append(m)
                if all(p in self.programs for p in wanted) and all(
                    self.would_take(p, ms) for p, ms in wanted.items()
                ):
                    found.add(("couple", members, pair))
        return found

    def check_blocking(self, include_reported: bool) -> None:
        found = self.blocking()
        reported: set[_BlockKey] = set()
        for inst in self.result.instabilities:
            if inst.couple is not None:
                reported.add(("couple", tuple(inst.couple), tuple(inst.programs)))
            else:
                reported.add(("applicant", inst.applicant, tuple(inst.programs)))
        for kind, who, progs in sorted(reported - found, key=repr):
            self.add(
                "false_instability",
                "reported as an instability but it does not block",
                **({"couple": who} if kind == "couple" else {"applicant": who}),
                programs=progs,
            )
        for kind, who, progs in sorted(found, key=repr):
            is_reported = (kind, who, progs) in reported
            if is_reported and not include_reported:
                continue
            note = " (reported by the result)" if is_reported else ""
            if kind == "couple":
                self.add(
                    "blocking_couple",
                    "the couple prefers this pair and both programs would take the partners" + note,
                    couple=who,
                    programs=progs,
                )
            else:
                self.add(
                    "blocking_pair",
                    "the applicant prefers this program and the program would take it" + note,
                    applicant=who,
                    programs=progs,
                )


def verify(market: Market, result: MatchResult, *, include_reported: bool = False) -> list[Violation]:
    """Every way ``result`` breaks the Main Match rules for ``market``; empty when it is sound.

    A blocking pair or couple that the result itself reports in ``instabilities`` is not a
    violation unless ``include_reported`` is set (then it is listed, marked as reported); a
    reported instability that does not block is always one.
    """
    check = _Checker(market, result)
    check.read_matches()
    check.read_singles()
    check.read_couples()
    check.capacities()
    check.statuses()
    check.check_blocking(include_reported)
    return check.out
