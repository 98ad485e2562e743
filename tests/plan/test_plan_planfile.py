"""``matchweek.plan/1``: a planned list written and read back, and a bad file refused by field."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from plan_helpers import small_listing, toy_model

from matchweek.errors import FormatError
from matchweek.model import ApplicantKind
from matchweek.plan.optimize import plan_list
from matchweek.plan.planfile import plan_from_document, plan_to_document, read_plan, write_plan
from matchweek.plan.profile import Profile


def planned():  # type: ignore[no-untyped-def]
    return plan_list(
        Profile(kind=ApplicantKind.US_DO, applicant="A9"), small_listing(), toy_model(intercept=-2.0), cap=4
    )


def test_a_plan_written_and_read_back_keeps_every_pick(tmp_path: Path) -> None:
    p = planned()
    write_plan(p, tmp_path / "plan.json")
    saved = read_plan(tmp_path / "plan.json")
    assert saved.picks == p.picks
    assert (saved.applicant, saved.objective, saved.cap) == ("A9", "utility", 4)
    assert saved.expected_value == p.expected_value and saved.chance_of_offer == p.chance_of_offer
    assert saved.round_shares == (0.6, 0.25, 0.1, 0.05)
    assert saved.pick(p.picks[0].program.code) == p.picks[0]
    assert saved.pick("nothing") is None
    write_plan(saved, tmp_path / "again.json")
    assert read_plan(tmp_path / "again.json").picks == saved.picks


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["picks"][0].update(odds=1.5),
            "plan.json: picks[0].odds: must be a share from 0 to 1, got 1.5",
        ),
        (
            lambda d: d["picks"][1].update(track="fellowship"),
            'plan.json: picks[1].track: unknown track "fellowship"',
        ),
        (lambda d: d["picks"].append(copy.deepcopy(d["picks"][0])), "plan.json: picks[4].program: program"),
        (
            lambda d: d.update(objective="prestige"),
            'plan.json: objective: must be one of utility, placement, got "prestige"',
        ),
        (lambda d: d.pop("picks"), "plan.json: picks: required field missing"),
    ],
)
def test_a_bad_plan_file_is_refused_naming_the_field(change, message: str) -> None:  # type: ignore[no-untyped-def]
    doc = copy.deepcopy(plan_to_document(planned()))
    change(doc)
    with pytest.raises(FormatError) as err:
        plan_from_document(doc, "plan.json")
    assert str(err.value).splitlines()[0].startswith(message)
