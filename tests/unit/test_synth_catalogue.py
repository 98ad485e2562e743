"""The synthetic market's data: specialty catalogue, fields, scales and states."""

import pytest

from matchweek.model import Track
from matchweek.synth import FIELDS, SCALES, SPECIALTIES
from matchweek.synth.catalogue import PRELIM_FIELD, field_index
from matchweek.synth.geography import DIVISIONS, STATES
from matchweek.synth.programs import specialty_counts

# Rule book §8: the 2025 Main Match.
TRACKS, POSITIONS, PGY1_POSITIONS = 6_626, 43_237, 40_041

SECTION_8_PGY1 = {
    # key: (programs, positions offered)
    "IM-C": (758, 10_941),
    "FM-C": (817, 5_357),
    "PEDS-C": (250, 3_135),
    "EM-C": (292, 3_068),
    "PSYCH-C": (404, 2_388),
    "TY-T": (236, 1_860),
    "ANES-C": (189, 1_805),
    "SURG-C": (377, 1_778),
    "IM-P": (329, 1_600),
    "OB-C": (295, 1_587),
    "SURG-P": (261, 1_194),
    "NEURO-C": (159, 932),
    "ORTHO-C": (216, 929),
    "PATH-C": (175, 622),
    "IM-M": (91, 411),
}


def test_catalogue_totals_are_the_national_market() -> None:
    assert sum(s.programs for s in SPECIALTIES) == TRACKS
    assert sum(s.positions for s in SPECIALTIES) == POSITIONS
    assert sum(s.positions for s in SPECIALTIES if s.track.is_pgy1) == PGY1_POSITIONS


def test_catalogue_reproduces_the_rule_book_pgy1_table() -> None:
    by_key = {s.key: s for s in SPECIALTIES}
    for key, (programs, positions) in SECTION_8_PGY1.items():
        assert (by_key[key].programs, by_key[key].positions) == (programs, positions), key
    assert by_key["DR-A"].positions == 1_057


def test_catalogue_advanced_block_and_track_letters() -> None:
    advanced = [s for s in SPECIALTIES if s.track is Track.ADVANCED]
    assert 2_900 <= sum(s.positions for s in advanced) <= 3_300
    assert {s.name for s in advanced} >= {
        "Diagnostic Radiology",
        "Anesthesiology",
        "Dermatology",
        "Physical Medicine and Rehabilitation",
        "Radiation Oncology",
        "Neurology",
        "Ophthalmology",
    }
    letters = {Track.CATEGORICAL: "CM", Track.PRELIMINARY: "P", Track.TRANSITIONAL: "T"}
    letters |= {Track.ADVANCED: "A", Track.RESERVED: "R"}
    for s in SPECIALTIES:
        assert s.letter in letters[s.track], s.key
        assert len(s.code) == 3 and s.code.isdigit(), s.key
    assert len({(s.code, s.letter) for s in SPECIALTIES}) == len(SPECIALTIES)
    assert len({s.key for s in SPECIALTIES}) == len(SPECIALTIES)
    assert any(s.track is Track.RESERVED for s in SPECIALTIES)
    assert {"Internal Medicine–Pediatrics", "Internal Medicine–Psychiatry"} <= {s.name for s in SPECIALTIES}


def test_catalogue_values_are_in_range() -> None:
    for s in SPECIALTIES:
        assert 0 < s.programs <= s.positions, s.key
        assert 0.0 <= s.img_share <= 1.0, s.key
        assert 0.0 < s.h1b < s.j1 < 1.0, s.key


def test_fields_reference_each_other_consistently() -> None:
    index = field_index()
    assert len(index) == len(FIELDS)
    for s in SPECIALTIES:
        assert s.field in index, s.key
    one_year = {s.field for s in SPECIALTIES if s.track.is_pgy1_only}
    assert one_year == {PRELIM_FIELD}
    for f in FIELDS:
        assert 0.0 <= f.competitiveness <= 1.0 and 0.0 <= f.academic <= 1.0, f.name
        assert len(f.demand) == 5 and all(d > 0 for d in f.demand), f.name
        for name, weight in f.backups:
            assert name in index and name != f.name and weight > 0, f.name
    # Every field is something applicants can train in.
    assert {f.name for f in FIELDS} == {s.field for s in SPECIALTIES}


def test_states_cover_the_country() -> None:
    codes = [s.code for s in STATES]
    assert len(codes) == len(set(codes)) == 51
    assert {s.division for s in STATES} == set(DIVISIONS)
    assert all(s.population > 0 and s.gme > 0 and s.cities for s in STATES)


def test_scales_keep_the_national_proportions() -> None:
    assert list(SCALES) == ["small", "state", "national"]
    small, state, national = SCALES["small"], SCALES["state"], SCALES["national"]
    assert 400 <= small.applicants <= 600 and 50 <= small.programs <= 80
    assert 3_000 <= state.applicants <= 5_000 and 400 <= state.programs <= 600
    assert national.applicants == 52_500 and national.programs == TRACKS
    for s in (small, state):
        assert s.applicants / s.programs == pytest.approx(national.applicants / national.programs, rel=0.05)


def test_specialty_counts_are_exact_nationally_and_proportional_below() -> None:
    programs, positions = specialty_counts(SCALES["national"])
    assert programs.tolist() == [s.programs for s in SPECIALTIES]
    assert positions.tolist() == [s.positions for s in SPECIALTIES]
    for name in ("small", "state"):
        scale = SCALES[name]
        programs, positions = specialty_counts(scale)
        assert programs.sum() == scale.programs
        assert (positions >= programs).all()
        assert positions.sum() / POSITIONS == pytest.approx(scale.factor, rel=0.1)
