"""Match Week policy: rule-book defaults, TOML loading, and refusal of unsound values."""

from pathlib import Path

import pytest

from matchweek.errors import PolicyError
from matchweek.model import Policy, WeekTime, load_policy


def test_defaults_are_the_rule_books() -> None:
    p = Policy()
    assert p.max_applications == 45
    assert p.letters_per_application == 4
    assert p.rounds == 4
    assert p.response_window_minutes == 120
    assert [(str(r.opens), str(r.closes)) for r in p.round_times()] == [
        ("Thu 09:00", "Thu 11:00"),
        ("Thu 12:00", "Thu 14:00"),
        ("Thu 15:00", "Thu 17:00"),
        ("Thu 18:00", "Thu 20:00"),
    ]


def test_three_round_thirty_application_policy_from_toml(tmp_path: Path) -> None:
    f = tmp_path / "policy.toml"
    f.write_text('max_applications = 30\nrounds = 3\nfirst_round_opens = "Wed 09:00"\n')
    p = load_policy(f)
    assert p.max_applications == 30
    assert p.rounds == 3
    assert [str(r.opens) for r in p.round_times()] == ["Wed 09:00", "Wed 12:00", "Wed 15:00"]


def test_eight_rounds_fit_when_the_end_moves(tmp_path: Path) -> None:
    f = tmp_path / "policy.toml"
    f.write_text(
        'rounds = 8\nfirst_round_opens = "Wed 08:00"\nsoap_end = "Fri 08:00"\nmatch_day = "Fri 12:00"\n'
    )
    assert len(load_policy(f).round_times()) == 8


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("max_applicatons = 30\n", "policy.toml: policy.max_applicatons: unknown policy value"),
        ("rounds = 0\n", "policy.rounds: must be a whole number of at least 1, got 0"),
        ('rounds = "four"\n', "policy.toml: policy.rounds: must be a whole number"),
        ("rounds = 9\n", "policy.soap_end: must not come before the last round closes"),
        ('first_round_opens = "Thursday 9am"\n', "policy.first_round_opens:"),
        ("response_window_minutes = 200\n", "policy.response_window_minutes: a round must close"),
        ('time_zone = "Mars/Olympus"\n', "policy.time_zone: unknown time zone"),
        ("rounds = \n", "not valid TOML"),
    ],
)
def test_bad_policy_files_are_refused_with_the_value_named(tmp_path: Path, text: str, message: str) -> None:
    f = tmp_path / "policy.toml"
    f.write_text(text)
    with pytest.raises(PolicyError, match=message.replace(".", r"\.")):
        load_policy(f)


def test_missing_policy_file(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="no such policy file"):
        load_policy(tmp_path / "absent.toml")


def test_week_time_parse_and_print() -> None:
    assert str(WeekTime.parse("Mon 10:00")) == "Mon 10:00"
    assert WeekTime.parse("Tue 08:00").minutes == 1440 + 480
    with pytest.raises(ValueError):
        WeekTime.parse("Thu 25:00")
