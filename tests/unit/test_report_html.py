"""The week report page: self-contained, with its charts, headline and tables, and safe with hostile data."""

from __future__ import annotations

import re
from dataclasses import replace
from html.parser import HTMLParser

from plotly.offline import get_plotlyjs
from test_week_stats import DATA, play_week, small_week, week3_market, week3_stats

from matchweek.formats import read_soap_script
from matchweek.match import summarize
from matchweek.report import (
    FILL_CHART_TITLE,
    OUTCOMES_CHART_TITLE,
    UNFILLED_CHART_TITLE,
    render_week_report,
)
from matchweek.soap import play_script
from matchweek.week.stats import week_stats

HOSTILE = '<script>alert("x")</script>'


class Page(HTMLParser):
    """The tags of a page with their attributes, and every table as rows of cell texts."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.tables: dict[str, list[list[str]]] = {}
        self.headline: list[tuple[str, str]] = []
        self._table: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._in_headline = False
        self._dt: str | None = None
        self._text: list[str] | None = None
        self._in_small = False
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "table":
            self._table = attributes.get("id") or f"table-{len(self.tables)}"
            self.tables[self._table] = []
        elif tag == "tr" and self._table is not None:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag == "dl" and attributes.get("class") == "headline":
            self._in_headline = True
        elif tag in ("dt", "dd") and self._in_headline:
            self._text = []
        elif tag == "small":
            self._in_small = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._table = None
        elif tag == "tr" and self._row is not None and self._table is not None:
            self.tables[self._table].append(self._row)
            self._row = None
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "dl":
            self._in_headline = False
        elif tag == "small":
            self._in_small = False
        elif tag == "dt" and self._text is not None:
            self._dt = "".join(self._text).strip()
            self._text = None
        elif tag == "dd" and self._text is not None and self._dt is not None:
            self.headline.append((self._dt, "".join(self._text).strip()))
            self._text = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        # The note under a headline figure is not part of the figure.
        if self._text is not None and not self._in_small:
            self._text.append(data)


def week3_page(**kwargs: object) -> str:
    return render_week_report(week3_stats(), title="Week of three rounds", **kwargs)  # type: ignore[arg-type]


def test_page_is_self_contained_with_the_plotly_bundle_once() -> None:
    page = week3_page()
    parsed = Page(page)
    # Nothing is fetched when the page is viewed: no script, style sheet, image or frame from elsewhere.
    for tag, attributes in parsed.tags:
        assert not (tag == "script" and "src" in attributes), attributes
        assert tag not in ("link", "iframe", "img", "object", "embed"), tag
        for name in ("src", "href"):
            value = attributes.get(name) or ""
            assert not re.match(r"\s*(https?:)?//", value), (tag, attributes)
    assert "@import" not in page
    bundle = get_plotlyjs()
    assert page.count(bundle) == 1
    assert page.count("plotly.js v") == 1
    # The bundle comes before the first chart draws, and every chart is drawn.
    assert page.index(bundle) < page.index("Plotly.newPlot(")
    for ident in ("chart-fill", "chart-outcomes", "chart-unfilled"):
        assert page.count(f'id="{ident}"') == 1
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")


def test_page_has_each_chart_title_and_the_headline_figures() -> None:
    page = week3_page()
    parsed = Page(page)
    for title in (FILL_CHART_TITLE, OUTCOMES_CHART_TITLE, UNFILLED_CHART_TITLE):
        assert f"<figcaption>{title}</figcaption>" in page
        # The chart itself carries the title too.
        assert f'"title":{{"text":"{title}"' in page
    assert parsed.headline == [
        ("Positions", "13"),
        ("Filled by the Main Match", "6"),
        ("Placed in SOAP", "5"),
        ("Combined fill", "84.6%"),
        ("Unfilled after SOAP", "2"),
    ]
    assert "46.2% of positions" in page
    assert "<title>Week of three rounds</title>" in page


def test_page_tables_hold_the_chart_figures() -> None:
    tables = Page(week3_page()).tables
    assert tables["table-rounds"] == [
        [
            "Round",
            "Offers",
            "Accepted",
            "Rejected",
            "Rejected automatically",
            "Expired",
            "Unanswered",
            "Filled (cumulative)",
            "Still open",
        ],
        ["Round 1", "5", "3", "1", "1", "1", "0", "3", "3"],
        ["Round 2", "1", "0", "1", "0", "0", "0", "3", "3"],
        ["Round 3", "2", "2", "0", "0", "0", "0", "5", "1"],
    ]
    outcomes = tables["table-outcomes"]
    assert outcomes[1] == [
        "US MD seniors",
        "4",
        "2",
        "1",
        "1",
        "2",
        "2",
        "0",
        "0",
        "50.0%",
        "50.0%",
        "0.0%",
        "0.0%",
    ]
    assert outcomes[-1] == [
        "All applicants",
        "11",
        "4",
        "2",
        "5",
        "6",
        "4",
        "1",
        "2",
        "36.4%",
        "36.4%",
        "9.1%",
        "18.2%",
    ]
    assert tables["table-unfilled-specialty"][1:] == [
        ["Family Medicine", "2", "1", "1"],
        ["Transitional Year", "2", "1", "1"],
        ["Dermatology", "1", "1", "0"],
        ["Internal Medicine", "1", "1", "0"],
        ["Surgery", "1", "1", "0"],
        ["All", "7", "5", "2"],
    ]
    assert tables["table-rounds-specialty"][5] == [
        "Transitional Year",
        "2",
        "2",
        "0",
        "0",
        "1",
        "0",
        "1",
        "1",
    ]
    assert tables["table-unfilled-programs"][1:] == [
        ["T1", "Hill TY", "Transitional Year", "transitional", "OH", "yes", "1", "1"],
        ["X1", "Valley FM", "Family Medicine", "categorical", "", "no", "1", "1"],
    ]


def test_hostile_names_are_escaped_everywhere() -> None:
    market, result = week3_market()
    programs = tuple(
        replace(p, specialty=HOSTILE, name="<img src=x onerror=alert(1)>") if p.code in ("C2", "X1") else p
        for p in market.programs
    )
    events = play_script(read_soap_script(DATA / "week3.soap.json")).events
    stats = week_stats(replace(market, programs=programs), result, events)
    assert HOSTILE in stats.unfilled_by_specialty
    page = render_week_report(stats, title=f"Week {HOSTILE} & more", notes=[f"</p>{HOSTILE}"])
    assert HOSTILE not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "<title>Week &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more</title>" in page
    parsed = Page(page)
    # The hostile text reads as text in the tables, and no tag came from it.
    assert [HOSTILE, "2", "1", "1"] in parsed.tables["table-unfilled-specialty"]
    assert sum(1 for tag, attrs in parsed.tags if tag == "img") == 0
    assert all("onerror" not in attrs for _, attrs in parsed.tags)
    # In the charts' data the name is escaped for plotly.js, which shows entities as text.
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;\\u002fscript&gt;" in page


def test_main_match_section_and_notes_only_when_given() -> None:
    assert 'id="main-match"' not in week3_page()
    market, result = small_week(1)
    stats = week_stats(market, result, play_week(market, result, 3))
    summary = summarize(market, result)
    page = render_week_report(stats, title="Small week", match_summary=summary, notes=["Seed 3."])
    tables = Page(page).tables
    rows = tables["table-main-match"]
    md = summary.by_kind["us_md"]
    assert rows[1][:4] == ["US MD seniors", f"{md.applicants:,}", f"{md.certified:,}", f"{md.matched:,}"]
    assert rows[-1][0] == "All applicants"
    assert "<p>Seed 3.</p>" in page
    # Four rounds in the by-round tables.
    assert tables["table-rounds-specialty"][0][3:7] == [f"Filled in round {n}" for n in (1, 2, 3, 4)]


def test_same_figures_give_the_same_page() -> None:
    assert week3_page(notes=["a"]) == week3_page(notes=["a"])


def test_a_week_still_running_is_flagged() -> None:
    market, result = week3_market()
    events = play_script(read_soap_script(DATA / "week3.soap.json")).events
    stats = week_stats(market, result, events[:-1])
    page = render_week_report(stats, title="Live")
    assert "SOAP had not ended when this log was taken" in page
    assert "SOAP had not ended" not in week3_page()
