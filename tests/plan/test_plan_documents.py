"""Documents per application: the specialty's own statement and letters, combined programs, gaps."""

from __future__ import annotations

from matchweek.model import ApplicantKind, Document, Policy, Track
from matchweek.plan.documents import DocumentGap, assign_documents
from matchweek.plan.listing import ListedProgram
from matchweek.plan.profile import Profile, Tier, TierEntry

IM, PSYCH, MED_PSYCH = "Internal Medicine", "Psychiatry", "Internal Medicine–Psychiatry"


def applicant() -> Profile:
    return Profile(
        kind=ApplicantKind.US_IMG,
        personal_statements=(
            Document("PS-IM", IM),
            Document("PS-PSY", PSYCH),
            Document("PS-GEN", "general"),
        ),
        letters=(
            Document("L-IM1", IM),
            Document("L-IM2", IM),
            Document("L-IM3", IM),
            Document("L-PSY1", PSYCH),
            Document("L-PSY2", PSYCH),
            Document("L-GEN", "general"),
        ),
        priorities=(Tier("im", 2.0, (TierEntry(IM),)),),
    )


def program(code: str, specialty: str | None, track: Track = Track.CATEGORICAL) -> ListedProgram:
    return ListedProgram(code, track, 1, specialty=specialty)


def test_each_specialty_gets_its_own_statement_and_letters_topped_up_with_general_ones() -> None:
    plan = assign_documents(applicant(), [program("A", IM), program("B", PSYCH)])
    a, b = plan.choices
    assert (a.personal_statement, a.letters, a.note) == ("PS-IM", ("L-IM1", "L-IM2", "L-IM3", "L-GEN"), None)
    assert (b.personal_statement, b.letters) == ("PS-PSY", ("L-PSY1", "L-PSY2", "L-GEN"))


def test_preliminary_medicine_and_primary_care_use_internal_medicine_documents() -> None:
    plan = assign_documents(
        applicant(), [program("P", IM, Track.PRELIMINARY), program("M", "Internal Medicine – Primary")]
    )
    assert [c.personal_statement for c in plan.choices] == ["PS-IM", "PS-IM"]
    assert plan.gaps == ()


def test_a_combined_program_gets_the_combined_statement_and_letters_of_both_fields() -> None:
    p = applicant()
    combined = Profile(
        kind=p.kind,
        personal_statements=(*p.personal_statements, Document("PS-MP", MED_PSYCH)),
        letters=p.letters,
    )
    plan = assign_documents(combined, [program("C", MED_PSYCH)])
    (c,) = plan.choices
    assert c.personal_statement == "PS-MP"
    assert c.letters == ("L-IM1", "L-PSY1", "L-IM2", "L-PSY2")
    assert plan.gaps == ()


def test_a_combined_program_without_its_statement_is_a_gap() -> None:
    plan = assign_documents(applicant(), [program("C", MED_PSYCH), program("D", MED_PSYCH)])
    assert plan.choices[0].personal_statement == "PS-IM"
    assert plan.choices[0].note == f"no combined statement for {MED_PSYCH}: sends PS-IM"
    assert plan.gaps == (
        DocumentGap(MED_PSYCH, "personal statement", 2, f"no combined personal statement for {MED_PSYCH}"),
    )


def test_a_specialty_without_letters_or_statement_is_flagged_and_gets_general_documents() -> None:
    plan = assign_documents(
        applicant(),
        [
            program("T", "Transitional Year", Track.TRANSITIONAL),
            program("S", "Surgery"),
            program("S2", "Surgery"),
        ],
    )
    t = plan.choices[0]
    assert t.personal_statement == "PS-GEN"
    assert t.letters == ("L-GEN",)
    assert (
        t.note == "no statement for Transitional Year: sends PS-GEN; "
        "no letter for Transitional Year: general letters"
    )
    assert [(g.specialty, g.document, g.programs) for g in plan.gaps] == [
        ("Surgery", "letter", 2),
        ("Surgery", "personal statement", 2),
        ("Transitional Year", "letter", 1),
        ("Transitional Year", "personal statement", 1),
    ]


def test_the_policy_bounds_the_letters_and_can_drop_the_statement() -> None:
    plan = assign_documents(
        applicant(),
        [program("A", IM), program("C", MED_PSYCH)],
        Policy(letters_per_application=2, personal_statements_per_application=0),
    )
    assert [(c.personal_statement, c.letters) for c in plan.choices] == [
        (None, ("L-IM1", "L-IM2")),
        (None, ("L-IM1", "L-PSY1")),
    ]
    assert all(g.document == "letter" for g in plan.gaps)


def test_a_program_without_a_specialty_gets_the_general_documents() -> None:
    (c,) = assign_documents(applicant(), [program("X", None)]).choices
    assert (c.personal_statement, c.letters) == ("PS-GEN", ("L-GEN",))


def test_a_combined_program_with_no_letters_of_its_fields_gets_the_general_ones() -> None:
    surgeon = Profile(
        kind=ApplicantKind.US_MD,
        personal_statements=(Document("PS-S", "Surgery"),),
        letters=(Document("L-S1", "Surgery"), Document("L-S2", "Surgery")),
        priorities=(Tier("surgery", 2.0, (TierEntry("Surgery"),)),),
    )
    plan = assign_documents(surgeon, [program("PN", "Psychiatry–Neurology")])
    (c,) = plan.choices
    # Without general-tagged documents, the general ones are those of its own field.
    assert (c.personal_statement, c.letters) == ("PS-S", ("L-S1", "L-S2"))
    assert [g.detail for g in plan.gaps] == [
        "no letter from Psychiatry, Neurology for a combined program",
        "no combined personal statement for Psychiatry–Neurology",
    ]
