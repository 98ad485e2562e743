"""A market as spreadsheet tables (CSV folder, XLSX workbook), and result exports."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from matchweek.errors import FormatError
from matchweek.formats import (
    market_from_json,
    market_to_json,
    read_market_csv,
    read_market_xlsx,
    write_market_csv,
    write_market_xlsx,
    write_result_csv,
    write_result_xlsx,
)
from matchweek.model import (
    Applicant,
    ApplicantKind,
    Assignment,
    Couple,
    Document,
    Exam,
    ExamResult,
    Instability,
    Market,
    MatchResult,
    MatchStatus,
    Program,
    RankEntry,
    RedFlag,
    Track,
    Visa,
)


def market() -> Market:
    return Market(
        programs=(
            Program(
                code="C1",
                track=Track.CATEGORICAL,
                positions=3,
                rank_list=("A1", "A2"),
                name='Riverside, "Internal" Medicine',
                institution="=Riverside",
                specialty="Internal Medicine",
                state="OH",
                visa=(Visa.H1B, Visa.J1),
                reverts_to="P1",
                soap=True,
                img_share=0.1,
            ),
            Program(code="ADV", track=Track.ADVANCED, positions=2, rank_list=("A1",), soap=False),
            Program(code="P1", track=Track.PRELIMINARY, positions=0, rank_list=("A1", "A4")),
            Program(code="007", track=Track.TRANSITIONAL, positions=1),
        ),
        applicants=(
            Applicant(
                id="A1",
                kind=ApplicantKind.NON_US_IMG,
                rank_list=(RankEntry("ADV", "prelims"), RankEntry("C1"), RankEntry("007")),
                supplemental_lists={"zz": ("007",), "prelims": ("P1", "007")},
                graduation_year=2019,
                visa_need=Visa.H1B,
                verified=False,
                can_start_july_1=True,
                us_clinical_months=0,
                exams=(ExamResult(Exam.COMLEX_LEVEL1, True), ExamResult(Exam.USMLE_STEP3, False, 3, 190)),
                personal_statements=(Document("ps", "IM"), Document("ps2", "FM")),
                letters=(Document("l1", "IM", "Dr. A\nsecond line"),),
                ties=("OH",),
                red_flags=(RedFlag.PROFESSIONALISM, RedFlag.LEAVE_OF_ABSENCE),
                home_institution=" spaced ",
            ),
            Applicant(id="A2", kind=ApplicantKind.US_DO, rank_list=(RankEntry("C1"),)),
            Applicant(id="A3"),
            Applicant(id="A4"),
            Applicant(id="A5"),
            Applicant(id="A6"),
        ),
        couples=(
            Couple(members=("A3", "A4"), rank_list=(("C1", "P1"), ("C1", None), (None, "007"))),
            Couple(members=("A6", "A5")),
        ),
    )


def csv_files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def csv_faults(tmp_path: Path, files: dict[str, str]) -> list[str]:
    folder = tmp_path / "market"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    with pytest.raises(FormatError) as caught:
        read_market_csv(folder)
    return [str(f) for f in caught.value.faults]


BASE = {
    "programs.csv": "code,track,positions\nC1,categorical,2\nADV,advanced,1\nP1,preliminary,1\n",
    "applicants.csv": "id\nA1\nA2\nA3\n",
}


# -- CSV folders -------------------------------------------------------------------------


def test_csv_folder_round_trips_byte_for_byte(tmp_path: Path) -> None:
    m = market()
    write_market_csv(m, tmp_path / "one")
    assert read_market_csv(tmp_path / "one") == m
    via_json = market_from_json(market_to_json(read_market_csv(tmp_path / "one")))
    write_market_csv(via_json, tmp_path / "two")
    assert csv_files(tmp_path / "one") == csv_files(tmp_path / "two")


def test_json_to_csv_to_json_is_byte_identical(tmp_path: Path) -> None:
    text = market_to_json(market())
    write_market_csv(market_from_json(text), tmp_path / "m")
    assert market_to_json(read_market_csv(tmp_path / "m")) == text


def test_csv_folder_layout(tmp_path: Path) -> None:
    write_market_csv(market(), tmp_path / "m")
    files = csv_files(tmp_path / "m")
    assert sorted(files) == [
        "applicant_documents.csv",
        "applicant_exams.csv",
        "applicant_rank_lists.csv",
        "applicant_red_flags.csv",
        "applicant_ties.csv",
        "applicants.csv",
        "couple_rank_lists.csv",
        "couples.csv",
        "format.txt",
        "program_rank_lists.csv",
        "program_visas.csv",
        "programs.csv",
        "supplemental_lists.csv",
    ]
    assert files["format.txt"] == b"matchweek.market/1\n"
    assert files["programs.csv"].decode() == (
        "code,name,specialty,track,positions,state,reverts_to,institution,soap,img_share\n"
        'C1,"Riverside, ""Internal"" Medicine",Internal Medicine,categorical,3,OH,P1,=Riverside,true,0.1\n'
        "ADV,,,advanced,2,,,,false,\n"
        "P1,,,preliminary,0,,,,,\n"
        "007,,,transitional,1,,,,,\n"
    )
    assert files["applicant_rank_lists.csv"].decode() == (
        "applicant,rank,program,supplemental\nA1,1,ADV,prelims\nA1,2,C1,\nA1,3,007,\nA2,1,C1,\n"
    )
    assert files["supplemental_lists.csv"].decode() == (
        "applicant,list,rank,program\nA1,prelims,1,P1\nA1,prelims,2,007\nA1,zz,1,007\n"
    )
    assert files["couple_rank_lists.csv"].decode() == (
        "couple,rank,program_1,program_2\n1,1,C1,P1\n1,2,C1,\n1,3,,007\n"
    )


def test_a_hand_made_folder_reads(tmp_path: Path) -> None:
    """Columns in any order, optional columns and tables left out, Excel's BOM, CRLF and TRUE."""
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "programs.csv").write_bytes(
        "\ufeffpositions,track,code,soap\r\n2,categorical,C1,TRUE\r\n1,advanced,ADV,\r\n,,,\r\n".encode()
    )
    (folder / "applicants.csv").write_text("id,kind\nA1,us_md\nA2,\n")
    (folder / "program_rank_lists.csv").write_text("program,applicant,rank\nC1,A2,20\nC1,A1,3\n")
    (folder / "applicant_rank_lists.csv").write_text("applicant,rank,program\nA1,2,ADV\nA2,1,C1\nA1,1,C1\n")
    got = read_market_csv(folder)
    assert got == Market(
        programs=(
            Program("C1", Track.CATEGORICAL, 2, ("A1", "A2"), soap=True),
            Program("ADV", Track.ADVANCED, 1),
        ),
        applicants=(
            Applicant("A1", ApplicantKind.US_MD, (RankEntry("C1"), RankEntry("ADV"))),
            Applicant("A2", rank_list=(RankEntry("C1"),)),
        ),
    )


def test_csv_faults_name_file_row_and_column(tmp_path: Path) -> None:
    files = dict(BASE)
    files["programs.csv"] = "code,track,positions\nC1,categorical,-2\nADV,advanced,one\nP1,prelim,1\n"
    files["applicants.csv"] = "id,verified,colour\nA1,yes,red\n"
    assert csv_faults(tmp_path, files) == [
        "programs.csv row 2, positions: must not be negative, got -2",
        'programs.csv row 3, positions: must be a whole number, got "one"',
        'programs.csv row 4, track: unknown track "prelim" (one of categorical, preliminary, transitional, '
        "advanced, reserved)",
        'applicants.csv row 1: unknown column "colour" (columns: id, kind, graduation_year, visa_need, '
        "verified, can_start_july_1, us_clinical_months, home_institution)",
    ]


def test_csv_rule_faults_point_at_the_row_that_breaks_them(tmp_path: Path) -> None:
    files = dict(BASE)
    files["applicants.csv"] = "id,us_clinical_months\nA1,\nA2,-1\nA1,\nA4,\nA5,\n"
    files["applicant_rank_lists.csv"] = (
        ""
        "applicant,rank,program,supplemental\nA1,1,C1,\nA1,2,9999140C0,\nA2,1,C1,s\nA2,1,P1,\nA9,1,C1,\nA4,1,C1,\n"
    )
    files["program_rank_lists.csv"] = "program,rank,applicant\nC1,1,A1\nC1,2,A1\nXX,1,A1\n"
    files["supplemental_lists.csv"] = "applicant,list,rank,program\nA2,s,1,ADV\n"
    files["couples.csv"] = "couple,member_1,member_2\nk,A4,A5\nk,A1,A2\nm,A5,A9\n"
    files["couple_rank_lists.csv"] = "couple,rank,program_1,program_2\nk,1,,\nk,2,C1,QQ\nz,1,C1,C1\n"
    assert csv_faults(tmp_path, files) == [
        'program_rank_lists.csv row 3: applicant "A1" is ranked twice',
        'program_rank_lists.csv row 4, program: unknown program code "XX"',
        "applicants.csv row 3, us_clinical_months: must not be negative, got -1",
        'applicants.csv row 4, id: duplicate applicant id "A1"',
        'applicant_rank_lists.csv row 2: applicant "A1" ranks with a couple, so its own rank list must be '
        "empty",
        'applicant_rank_lists.csv row 3: unknown program code "9999140C0"',
        'applicant_rank_lists.csv row 4, supplemental: program "C1" is categorical, not advanced; '
        "only an advanced program takes a supplemental list",
        'applicant_rank_lists.csv row 4: applicant "A2" ranks with a couple, so its own rank list must be '
        "empty",
        'applicant_rank_lists.csv row 5, rank: rank 1 is given twice for applicant "A2"',
        'applicant_rank_lists.csv row 6, applicant: unknown applicant id "A9"',
        'applicant_rank_lists.csv row 7: applicant "A4" ranks with a couple, so its own rank list must be '
        "empty",
        'supplemental_lists.csv row 2: program "ADV" is advanced; a supplemental list holds PGY-1 programs '
        "only",
        'couples.csv row 3, couple: couple "k" is listed twice',
        'couples.csv row 4, member_1: applicant "A5" is already in another couple',
        'couples.csv row 4, member_2: unknown applicant id "A9"',
        "couple_rank_lists.csv row 2: a pair must name a program for at least one partner",
        'couple_rank_lists.csv row 3, program_2: unknown program code "QQ"',
        'couple_rank_lists.csv row 4, couple: unknown couple "z"',
    ]


def test_csv_header_and_table_problems(tmp_path: Path) -> None:
    assert csv_faults(
        tmp_path,
        {
            "programs.csv": "code,track,code\nC1,categorical\n",
            "program_rank_lists.csv": "program,applicant\n",
            "couples.csv": "",
        },
    ) == [
        'programs.csv row 1: column "code" appears twice',
        'programs.csv row 1: missing column "positions"',
        'program_rank_lists.csv row 1: missing column "rank"',
        "applicants.csv: missing (this table is required)",
        "couples.csv: is empty; it needs at least a header row",
    ]


def test_csv_cells_and_rows(tmp_path: Path) -> None:
    files = dict(BASE)
    files["applicants.csv"] = (
        "id,graduation_year,can_start_july_1\nA1,2020,\n,2021,false\nA3,2022,true,extra\n"
    )
    files["applicant_exams.csv"] = "applicant,exam,passed,attempts,score\nA1,usmle_step1,,1,250.5\n"
    files["applicant_documents.csv"] = "applicant,kind,id,specialty\nA1,essay,d1,IM\n"
    assert csv_faults(tmp_path, files) == [
        "applicants.csv row 3, id: required, but blank",
        "applicants.csv row 4: has 4 cells but the header names 3 columns",
        "applicant_exams.csv row 2, passed: required, but blank",
        'applicant_exams.csv row 2, score: must be a whole number, got "250.5"',
        'applicant_documents.csv row 2, kind: unknown document kind "essay" (one of personal_statement, '
        "letter)",
    ]


def test_folder_format_marker_and_missing_folder(tmp_path: Path) -> None:
    files = dict(BASE)
    files["format.txt"] = "matchweek.result/1\n"
    folder = tmp_path / "m"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text)
    with pytest.raises(FormatError) as caught:
        read_market_csv(folder)
    assert (
        str(caught.value) == f'{folder}: format.txt: expected "matchweek.market/1", got "matchweek.result/1"'
    )
    with pytest.raises(FormatError) as caught:
        read_market_csv(tmp_path / "none")
    assert str(caught.value) == f"{tmp_path / 'none'}: no such folder"


def test_a_csv_file_that_is_not_utf8(tmp_path: Path) -> None:
    files = dict(BASE)
    folder = tmp_path / "m"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text)
    (folder / "applicant_ties.csv").write_bytes(b"applicant,state\nA1,\xff\xfe\n")
    with pytest.raises(FormatError) as caught:
        read_market_csv(folder)
    assert [str(f) for f in caught.value.faults] == ["applicant_ties.csv row 2: is not UTF-8 text"]


# -- XLSX workbooks ----------------------------------------------------------------------


def test_xlsx_round_trips_and_is_deterministic(tmp_path: Path) -> None:
    m = market()
    write_market_xlsx(m, tmp_path / "a.xlsx")
    assert read_market_xlsx(tmp_path / "a.xlsx") == m
    write_market_xlsx(read_market_xlsx(tmp_path / "a.xlsx"), tmp_path / "b.xlsx")
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()


def test_xlsx_sheets_hold_typed_cells(tmp_path: Path) -> None:
    write_market_xlsx(market(), tmp_path / "m.xlsx")
    book = load_workbook(tmp_path / "m.xlsx")
    assert book.sheetnames[:3] == ["programs", "program_visas", "program_rank_lists"]
    rows = list(book["programs"].iter_rows(values_only=True))
    assert rows[0][:5] == ("code", "name", "specialty", "track", "positions")
    assert rows[1][4] == 3 and rows[1][8] is True and rows[1][9] == 0.1
    assert rows[1][7] == "=Riverside" and book["programs"]["H2"].data_type == "s"
    assert rows[4][0] == "007"


def test_xlsx_faults_name_sheet_and_row(tmp_path: Path) -> None:
    book = Workbook()
    programs = book.active
    programs.title = "programs"
    programs.append(["code", "track", "positions"])
    programs.append(["C1", "categorical", 2.0])
    programs.append([123, "categorical", "x"])
    applicants = book.create_sheet("applicants")
    applicants.append(["id"])
    applicants.append(["A1"])
    ranks = book.create_sheet("applicant_rank_lists")
    ranks.append(["applicant", "rank", "program"])
    ranks.append(["A1", 1, "C1"])
    ranks.append(["A1", 2, "NOPE"])
    path = tmp_path / "m.xlsx"
    book.save(path)
    with pytest.raises(FormatError) as caught:
        read_market_xlsx(path)
    assert [str(f) for f in caught.value.faults] == [
        'sheet programs row 3, positions: must be a whole number, got "x"',
        'sheet applicant_rank_lists row 3: unknown program code "NOPE"',
    ]


def test_a_file_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "m.xlsx"
    path.write_text("code,track\n")
    with pytest.raises(FormatError) as caught:
        read_market_xlsx(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: is not an XLSX workbook")
    assert "\n" not in message


def test_text_a_workbook_cannot_hold_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    m = Market(programs=(Program("C\x01", Track.CATEGORICAL, 1),), applicants=())
    with pytest.raises(FormatError) as caught:
        write_market_xlsx(m, tmp_path / "m.xlsx")
    assert (
        str(caught.value)
        == "sheet programs row 2, code: text holds a control character, which XLSX cannot store"
    )
    assert list(tmp_path.iterdir()) == []


# -- result exports ----------------------------------------------------------------------


def result() -> MatchResult:
    return MatchResult(
        matches=(Assignment("A2", "C1"), Assignment("A1", "P1"), Assignment("A1", "ADV")),
        statuses={"A2": MatchStatus.MATCHED, "A1": MatchStatus.MATCHED, "A3": MatchStatus.UNMATCHED},
        unfilled={"P9": 2, "C9": 1},
        instabilities=(Instability(("C1",), applicant="A3"), Instability(("C1", None), couple=("A4", "A5"))),
    )


def test_result_csv_export(tmp_path: Path) -> None:
    write_result_csv(result(), tmp_path / "r")
    files = csv_files(tmp_path / "r")
    assert files == {
        "applicants.csv": b"applicant,status\nA1,matched\nA2,matched\nA3,unmatched\n",
        "format.txt": b"matchweek.result/1\n",
        "instabilities.csv": b"applicant,partner,program,partner_program\nA3,,C1,\nA4,A5,C1,\n",
        "matches.csv": b"applicant,program\nA1,ADV\nA1,P1\nA2,C1\n",
        "unfilled.csv": b"program,unfilled\nC9,1\nP9,2\n",
    }


def test_result_xlsx_export(tmp_path: Path) -> None:
    write_result_xlsx(result(), tmp_path / "a.xlsx")
    write_result_xlsx(result(), tmp_path / "b.xlsx")
    data = (tmp_path / "a.xlsx").read_bytes()
    assert data == (tmp_path / "b.xlsx").read_bytes()
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["matches", "applicants", "unfilled", "instabilities"]
    assert list(book["unfilled"].iter_rows(values_only=True)) == [
        ("program", "unfilled"),
        ("C9", 1),
        ("P9", 2),
    ]
