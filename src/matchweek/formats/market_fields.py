"""The field names of each record of ``matchweek.market/1`` (FORMATS.md plus its extensions)."""

from __future__ import annotations

PROGRAM_FIELDS = frozenset(
    {
        "code",
        "name",
        "specialty",
        "track",
        "positions",
        "state",
        "visa",
        "reverts_to",
        "rank_list",
        "institution",
        "soap",
        "img_share",
    }
)
PROGRAM_REQUIRED = ("code", "track", "positions")
APPLICANT_FIELDS = frozenset(
    {
        "id",
        "kind",
        "rank_list",
        "supplemental_lists",
        "graduation_year",
        "visa_need",
        "verified",
        "can_start_july_1",
        "us_clinical_months",
        "exams",
        "personal_statements",
        "letters",
        "ties",
        "red_flags",
        "home_institution",
    }
)
RANK_ENTRY_FIELDS = frozenset({"program", "supplemental"})
"""An applicant's rank-list entry written as an object (linking a supplemental list)."""
EXAM_FIELDS = frozenset({"exam", "passed", "attempts", "score"})
DOCUMENT_FIELDS = frozenset({"id", "specialty", "author"})
COUPLE_FIELDS = frozenset({"members", "rank_list"})
