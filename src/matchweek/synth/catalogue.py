"""The specialty catalogue: every track type the synthetic market offers, as data.

National program and position counts follow the 2025 Main Match (rule book §8):
the PGY-1 table is reproduced exactly, the remaining PGY-1 specialties and the
advanced (PGY-2) block are sized so the market totals 6,626 tracks, 43,237
positions and 40,041 PGY-1 positions. Codes are NRMP-style: a 3-digit specialty
code and a track letter (C categorical, P preliminary, T transitional, A
advanced, R reserved/physician, M primary care categorical).

A *field* is what an applicant sets out to train in (Anesthesiology, whose
programs come as categorical and advanced tracks); a *specialty* here is one
track type of a field. Every behavioural parameter the generator uses per field
or per track lives in these tables, so calibration changes data, not code.
"""

from __future__ import annotations

from dataclasses import dataclass

from matchweek.model import ApplicantKind, Track

KINDS: tuple[ApplicantKind, ...] = (
    ApplicantKind.US_MD,
    ApplicantKind.US_DO,
    ApplicantKind.US_IMG,
    ApplicantKind.NON_US_IMG,
    ApplicantKind.PRIOR_GRAD,
)
"""Applicant kinds in the order every per-kind tuple in this module uses."""

PRELIM_FIELD = "Preliminary Year"
"""The pseudo-field of one-year PGY-1 tracks (transitional and preliminary)."""


@dataclass(frozen=True, slots=True)
class Specialty:
    """One track type of a field, with its national size.

    ``name`` is the specialty programs report (preliminary medicine reports
    "Internal Medicine"); ``label`` tells the track apart in program names.
    ``img_share`` is the mean share of international graduates in recent
    classes; ``j1`` and ``h1b`` the share of programs sponsoring each visa.
    """

    key: str
    name: str
    label: str
    code: str
    letter: str
    track: Track
    field: str
    programs: int
    positions: int
    img_share: float
    j1: float
    h1b: float
    bar: float = 0.0


@dataclass(frozen=True, slots=True)
class Field:
    """What an applicant sets out to train in, and how that market behaves.

    ``competitiveness`` (0..1) raises programs' interview bar and draws stronger
    applicants; ``bar`` shifts the bar further. ``demand`` holds, per applicant
    kind (order of ``KINDS``), the relative number choosing the field first.
    ``backups`` are the fields applied to as a fallback, with weights.
    ``prelim_taste`` is the preference for (transitional, medicine preliminary,
    surgery preliminary, pediatrics preliminary) one-year tracks of applicants
    whose first field is this one. ``academic`` is how strongly its programs
    sit in academic centres (0: anywhere, 1: almost only there).
    """

    name: str
    competitiveness: float
    bar: float
    demand: tuple[float, float, float, float, float]
    backups: tuple[tuple[str, float], ...]
    prelim_taste: tuple[float, float, float, float] = (0.5, 0.5, -0.5, -1.5)
    academic: float = 0.5


_C, _P, _T, _A, _R = Track.CATEGORICAL, Track.PRELIMINARY, Track.TRANSITIONAL, Track.ADVANCED, Track.RESERVED

IM = "Internal Medicine"
FM = "Family Medicine"
PEDS = "Pediatrics"
EM = "Emergency Medicine"
PSYCH = "Psychiatry"
ANES = "Anesthesiology"
SURG = "Surgery"
OB = "Obstetrics and Gynecology"
NEURO = "Neurology"
ORTHO = "Orthopaedic Surgery"
PATH = "Pathology"
ENT = "Otolaryngology"
NSURG = "Neurological Surgery"
PLASTICS = "Plastic Surgery"
VASC = "Vascular Surgery"
THOR = "Thoracic Surgery"
IR = "Interventional Radiology"
DR = "Diagnostic Radiology"
DERM = "Dermatology"
PMR = "Physical Medicine and Rehabilitation"
CHNEURO = "Child Neurology"
MEDPEDS = "Internal Medicine–Pediatrics"
MEDPSYCH = "Internal Medicine–Psychiatry"
EMIM = "Emergency Medicine–Internal Medicine"
FMPSYCH = "Family Medicine–Psychiatry"
PSYNEURO = "Psychiatry–Neurology"
TRIPLE = "Pediatrics–Psychiatry–Child Psychiatry"
RADONC = "Radiation Oncology"
OPHTHO = "Ophthalmology"
NUCMED = "Nuclear Medicine"
MEDGEN = "Medical Genetics"
TY = "Transitional Year"


def _s(
    key: str,
    name: str,
    code: str,
    letter: str,
    track: Track,
    programs: int,
    positions: int,
    img: float,
    j1: float,
    h1b: float,
    *,
    field: str | None = None,
    label: str | None = None,
    bar: float = 0.0,
) -> Specialty:
    return Specialty(
        key=key,
        name=name,
        label=label or name,
        code=code,
        letter=letter,
        track=track,
        field=field or name,
        programs=programs,
        positions=positions,
        img_share=img,
        j1=j1,
        h1b=h1b,
        bar=bar,
    )


SPECIALTIES: tuple[Specialty, ...] = (
    # PGY-1 specialties of rule book §8, counts as published.
    _s("IM-C", IM, "140", "C", _C, 758, 10941, 0.43, 0.78, 0.32),
    _s("FM-C", FM, "120", "C", _C, 817, 5357, 0.27, 0.50, 0.16),
    _s("PEDS-C", PEDS, "320", "C", _C, 250, 3135, 0.27, 0.66, 0.22),
    _s("EM-C", EM, "110", "C", _C, 292, 3068, 0.15, 0.30, 0.06),
    _s("PSYCH-C", PSYCH, "400", "C", _C, 404, 2388, 0.14, 0.50, 0.15),
    _s("TY-T", TY, "999", "T", _T, 236, 1860, 0.10, 0.35, 0.06, field=PRELIM_FIELD, bar=1.1),
    _s("ANES-C", ANES, "040", "C", _C, 189, 1805, 0.07, 0.45, 0.10),
    _s("SURG-C", SURG, "440", "C", _C, 377, 1778, 0.12, 0.55, 0.15),
    _s(
        "IM-P",
        IM,
        "140",
        "P",
        _P,
        329,
        1600,
        0.12,
        0.62,
        0.18,
        field=PRELIM_FIELD,
        label=IM + " (Preliminary)",
        bar=1.1,
    ),
    _s("OB-C", OB, "220", "C", _C, 295, 1587, 0.06, 0.35, 0.08),
    _s(
        "SURG-P",
        SURG,
        "440",
        "P",
        _P,
        261,
        1194,
        0.27,
        0.58,
        0.16,
        field=PRELIM_FIELD,
        label=SURG + " (Preliminary)",
        bar=1.7,
    ),
    _s("NEURO-C", NEURO, "180", "C", _C, 159, 932, 0.29, 0.70, 0.25),
    _s("ORTHO-C", ORTHO, "260", "C", _C, 216, 929, 0.024, 0.25, 0.05),
    _s("PATH-C", PATH, "300", "C", _C, 175, 622, 0.36, 0.75, 0.30),
    _s("IM-M", IM + " – Primary", "140", "M", _C, 91, 411, 0.25, 0.65, 0.22, field=IM),
    # Other PGY-1 specialties.
    _s("ENT-C", ENT, "280", "C", _C, 130, 380, 0.03, 0.25, 0.05),
    _s("NSURG-C", NSURG, "160", "C", _C, 118, 240, 0.08, 0.40, 0.12),
    _s("PLASTICS-C", PLASTICS, "362", "C", _C, 90, 215, 0.04, 0.25, 0.05),
    _s("VASC-C", VASC, "450", "C", _C, 80, 95, 0.10, 0.40, 0.10),
    _s("THOR-C", THOR, "460", "C", _C, 38, 52, 0.10, 0.40, 0.10),
    _s("IR-C", IR, "415", "C", _C, 95, 150, 0.08, 0.35, 0.10),
    _s("DR-C", DR, "420", "C", _C, 80, 215, 0.10, 0.45, 0.12),
    _s("DERM-C", DERM, "080", "C", _C, 45, 100, 0.03, 0.20, 0.05),
    _s("PMR-C", PMR, "340", "C", _C, 60, 160, 0.12, 0.45, 0.10),
    _s("CHNEURO-C", CHNEURO, "185", "C", _C, 80, 170, 0.20, 0.60, 0.20),
    _s("MEDPEDS-C", MEDPEDS, "700", "C", _C, 80, 400, 0.08, 0.45, 0.10),
    _s("MEDPSYCH-C", MEDPSYCH, "715", "C", _C, 12, 30, 0.10, 0.40, 0.10),
    _s("PEDS-M", PEDS + " – Primary", "320", "M", _C, 14, 48, 0.20, 0.60, 0.20, field=PEDS),
    _s(
        "PEDS-P",
        PEDS,
        "320",
        "P",
        _P,
        10,
        18,
        0.20,
        0.60,
        0.20,
        field=PRELIM_FIELD,
        label=PEDS + " (Preliminary)",
    ),
    _s("EMIM-C", EMIM, "705", "C", _C, 10, 27, 0.05, 0.30, 0.05),
    _s("FMPSYCH-C", FMPSYCH, "735", "C", _C, 10, 20, 0.10, 0.40, 0.10),
    _s("PSYNEURO-C", PSYNEURO, "745", "C", _C, 8, 12, 0.10, 0.40, 0.10),
    _s("TRIPLE-C", TRIPLE, "740", "C", _C, 10, 26, 0.05, 0.40, 0.10),
    # Reserved (physician) tracks: positions for applicants with prior training.
    _s("IM-R", IM, "140", "R", _R, 14, 34, 0.30, 0.60, 0.20, label=IM + " (Physician)"),
    _s("FM-R", FM, "120", "R", _R, 7, 14, 0.30, 0.50, 0.15, label=FM + " (Physician)"),
    _s("ANES-R", ANES, "040", "R", _R, 6, 12, 0.15, 0.40, 0.10, label=ANES + " (Physician)"),
    _s("PSYCH-R", PSYCH, "400", "R", _R, 5, 10, 0.20, 0.50, 0.15, label=PSYCH + " (Physician)"),
    _s("EM-R", EM, "110", "R", _R, 3, 6, 0.10, 0.30, 0.05, label=EM + " (Physician)"),
    # Advanced (PGY-2) block.
    _s("DR-A", DR, "420", "A", _A, 186, 1057, 0.10, 0.45, 0.12),
    _s("ANES-A", ANES, "040", "A", _A, 90, 480, 0.07, 0.45, 0.10),
    _s("DERM-A", DERM, "080", "A", _A, 120, 500, 0.03, 0.20, 0.05),
    _s("PMR-A", PMR, "340", "A", _A, 80, 360, 0.12, 0.45, 0.10),
    _s("RADONC-A", RADONC, "430", "A", _A, 85, 225, 0.06, 0.40, 0.10),
    _s("NEURO-A", NEURO, "180", "A", _A, 75, 240, 0.29, 0.70, 0.25),
    _s("OPHTHO-A", OPHTHO, "240", "A", _A, 45, 170, 0.05, 0.30, 0.08),
    _s("IR-A", IR, "415", "A", _A, 65, 120, 0.08, 0.35, 0.10),
    _s("NUCMED-A", NUCMED, "200", "A", _A, 12, 24, 0.30, 0.60, 0.20),
    _s("MEDGEN-A", MEDGEN, "130", "A", _A, 14, 20, 0.30, 0.60, 0.20),
)
"""Every track type, national counts: 6,626 tracks, 43,237 positions, 40,041 PGY-1."""

# (transitional, medicine preliminary, surgery preliminary, pediatrics preliminary)
_SURGICAL = (0.0, -1.0, 1.5, -2.0)
_MEDICAL = (0.3, 1.0, -1.0, -1.5)
_PEDIATRIC = (0.2, 0.3, -1.0, 1.0)
_LIFESTYLE = (1.2, 0.5, -1.2, -2.0)

# Field(name, competitiveness, bar, demand by kind (US MD, DO, US IMG, non-US IMG, prior graduate),
#       backups, taste for one-year tracks, academic affinity)
FIELDS: tuple[Field, ...] = (
    Field(
        IM,
        0.35,
        -0.3,
        (3600, 2000, 2600, 5600, 2000),
        ((FM, 2), (PEDS, 1), (PSYCH, 1), (NEURO, 1), (PATH, 1), (PRELIM_FIELD, 0.5)),
        _MEDICAL,
        0.5,
    ),
    Field(
        FM,
        0.10,
        0.0,
        (1100, 1500, 1000, 700, 800),
        ((IM, 4), (PEDS, 1), (PSYCH, 1), (PRELIM_FIELD, 1)),
        _MEDICAL,
        0.1,
    ),
    Field(PEDS, 0.30, -0.1, (1450, 680, 450, 900, 400), ((FM, 2), (IM, 2), (MEDPEDS, 0.5)), _PEDIATRIC, 0.6),
    Field(
        EM, 0.35, -0.1, (1600, 1250, 450, 150, 300), ((FM, 2), (IM, 2), (PRELIM_FIELD, 0.5)), _MEDICAL, 0.4
    ),
    Field(PSYCH, 0.45, 0.0, (1700, 620, 350, 350, 500), ((FM, 2), (IM, 2), (NEURO, 1)), _MEDICAL, 0.5),
    Field(
        ANES, 0.55, 0.0, (2200, 450, 90, 130, 250), ((IM, 2), (PRELIM_FIELD, 1)), (0.6, 0.6, 0.0, -2.0), 0.7
    ),
    Field(
        SURG, 0.60, 0.0, (1700, 320, 250, 300, 400), ((PRELIM_FIELD, 1.5), (FM, 1), (IM, 1.5)), _SURGICAL, 0.6
    ),
    Field(OB, 0.55, 0.0, (1500, 420, 100, 80, 150), ((FM, 3), (PRELIM_FIELD, 0.5)), _SURGICAL, 0.5),
    Field(
        NEURO, 0.35, 0.0, (750, 190, 120, 480, 100), ((IM, 3), (PSYCH, 1), (PRELIM_FIELD, 1)), _MEDICAL, 0.8
    ),
    Field(ORTHO, 0.90, 0.0, (1250, 260, 20, 30, 80), ((SURG, 2), (PRELIM_FIELD, 1.5)), _SURGICAL, 0.8),
    Field(PATH, 0.25, 0.0, (300, 70, 110, 380, 120), ((IM, 2), (FM, 1)), _MEDICAL, 0.8),
    Field(ENT, 0.85, 0.0, (480, 50, 5, 10, 30), ((SURG, 1), (PRELIM_FIELD, 1.5)), _SURGICAL, 0.9),
    Field(NSURG, 0.95, 0.0, (310, 35, 5, 20, 20), ((SURG, 1), (PRELIM_FIELD, 1.5)), _SURGICAL, 0.95),
    Field(PLASTICS, 0.95, 0.0, (330, 20, 5, 10, 15), ((SURG, 3), (PRELIM_FIELD, 1)), _SURGICAL, 0.95),
    Field(VASC, 0.75, 0.0, (120, 20, 5, 10, 10), ((SURG, 3), (PRELIM_FIELD, 1)), _SURGICAL, 0.9),
    Field(THOR, 0.80, 0.0, (70, 8, 3, 8, 5), ((SURG, 3), (PRELIM_FIELD, 1)), _SURGICAL, 0.95),
    Field(IR, 0.75, 0.0, (320, 35, 5, 10, 20), ((DR, 3), (IM, 1)), (0.6, 0.4, 0.6, -2.0), 0.9),
    Field(DR, 0.65, 0.0, (1150, 180, 60, 90, 250), ((IM, 3), (PRELIM_FIELD, 1)), (0.8, 0.6, -0.5, -2.0), 0.8),
    Field(DERM, 0.95, 0.0, (780, 80, 10, 10, 60), ((IM, 3), (PRELIM_FIELD, 1)), _LIFESTYLE, 0.9),
    Field(
        PMR, 0.50, 0.0, (380, 200, 60, 50, 100), ((IM, 2), (FM, 1), (NEURO, 1)), (0.6, 0.6, -0.3, -2.0), 0.6
    ),
    Field(CHNEURO, 0.40, 0.0, (140, 30, 15, 30, 10), ((PEDS, 3), (NEURO, 1)), _PEDIATRIC, 0.95),
    Field(MEDPEDS, 0.45, 0.0, (380, 70, 20, 20, 15), ((IM, 2), (PEDS, 2)), _MEDICAL, 0.8),
    Field(MEDPSYCH, 0.50, 0.0, (35, 5, 3, 3, 3), ((IM, 1), (PSYCH, 2)), _MEDICAL, 0.9),
    Field(EMIM, 0.50, 0.0, (25, 8, 3, 2, 3), ((EM, 2), (IM, 2)), _MEDICAL, 0.9),
    Field(FMPSYCH, 0.35, 0.0, (18, 6, 3, 3, 3), ((FM, 2), (PSYCH, 2)), _MEDICAL, 0.6),
    Field(PSYNEURO, 0.50, 0.0, (12, 4, 2, 3, 2), ((PSYCH, 2), (NEURO, 2)), _MEDICAL, 0.9),
    Field(TRIPLE, 0.55, 0.0, (25, 6, 2, 2, 2), ((PEDS, 2), (PSYCH, 2)), _PEDIATRIC, 0.95),
    Field(
        RADONC, 0.60, 0.0, (220, 10, 5, 15, 30), ((IM, 2), (PRELIM_FIELD, 1)), (0.6, 0.8, -1.0, -2.0), 0.95
    ),
    Field(OPHTHO, 0.85, 0.0, (190, 15, 5, 10, 40), ((IM, 2), (PRELIM_FIELD, 1)), (0.6, 0.8, -0.8, -2.0), 0.9),
    Field(NUCMED, 0.30, 0.0, (10, 3, 5, 15, 8), ((DR, 1), (IM, 2)), _MEDICAL, 0.9),
    Field(MEDGEN, 0.30, 0.0, (15, 3, 3, 10, 5), ((PEDS, 2), (IM, 2)), _PEDIATRIC, 0.95),
    Field(
        PRELIM_FIELD,
        0.30,
        0.0,
        (60, 20, 100, 150, 200),
        ((IM, 2), (FM, 2), (SURG, 1)),
        (0.5, 0.6, -0.6, -1.5),
        0.5,
    ),
)
"""Every field an applicant may choose, with its market behaviour."""


def field_index() -> dict[str, int]:
    """Field name -> position in ``FIELDS``."""
    return {f.name: i for i, f in enumerate(FIELDS)}


def specialty_index() -> dict[str, int]:
    """Specialty key -> position in ``SPECIALTIES``."""
    return {s.key: i for i, s in enumerate(SPECIALTIES)}
