"""Filter values from the pages' query strings: an empty field means no filter, anything else must parse."""

from __future__ import annotations

from matchweek.web.problems import BadInput


def text(value: str | None) -> str | None:
    """The field's text, None when empty."""
    value = (value or "").strip()
    return value or None


def choice(value: str | None, allowed: tuple[str, ...] | list[str], field: str) -> str | None:
    """One of ``allowed``, None when empty; BadInput otherwise."""
    chosen = text(value)
    if chosen is not None and chosen not in allowed:
        raise BadInput(f"{field}: not one of {', '.join(allowed)}")
    return chosen


def number(value: str | None, field: str, *, low: float, high: float) -> float | None:
    """A number in [low, high], None when empty; BadInput otherwise."""
    raw = text(value)
    if raw is None:
        return None
    try:
        out = float(raw)
    except ValueError:
        raise BadInput(f"{field}: must be a number, got {raw[:20]!r}") from None
    if not low <= out <= high:
        raise BadInput(f"{field}: must be between {low:g} and {high:g}")
    return out


def whole(value: str | None, field: str, *, low: int, high: int) -> int | None:
    """A whole number in [low, high], None when empty; BadInput otherwise."""
    raw = text(value)
    if raw is None:
        return None
    if not raw.lstrip("-").isdigit() or len(raw) > 9:
        raise BadInput(f"{field}: must be a whole number, got {raw[:20]!r}")
    out = int(raw)
    if not low <= out <= high:
        raise BadInput(f"{field}: must be between {low} and {high}")
    return out


def flag(value: str | None) -> bool:
    """A checkbox: ticked when sent with any value but empty, "0", "false" or "off"."""
    return (value or "").strip().lower() not in ("", "0", "false", "off", "no")
