"""Numbers, dates and durations in the reports' two languages."""

from __future__ import annotations

from datetime import date

import pytest

from shopflow.reports.i18n import (
    LABELS,
    check_lang,
    format_date,
    format_duration,
    format_long_date,
    format_number,
    format_percent,
    format_plain_number,
)


@pytest.mark.parametrize(
    ("value", "digits", "pt", "en"),
    [
        (1234567, 0, "1.234.567", "1,234,567"),
        (1234.5, 1, "1.234,5", "1,234.5"),
        (0.25, 2, "0,25", "0.25"),
        (-12.0, 0, "-12", "-12"),
        (None, 0, "—", "—"),
        (float("nan"), 1, "—", "—"),
    ],
)
def test_format_number(value: float | None, digits: int, pt: str, en: str) -> None:
    assert format_number(value, "pt-BR", digits) == pt
    assert format_number(value, "en", digits) == en


@pytest.mark.parametrize(("value", "pt", "en"), [(1234.56, "1234,6", "1234.6"), (None, "", ""), (0.0, "0,0", "0.0")])
def test_plain_numbers_have_no_thousands_separator(value: float | None, pt: str, en: str) -> None:
    assert format_plain_number(value, "pt-BR") == pt
    assert format_plain_number(value, "en") == en


@pytest.mark.parametrize(
    ("value", "pt", "en"),
    [(25.0, "+25,0%", "+25.0%"), (-3.25, "-3,2%", "-3.2%"), (0.0, "0,0%", "0.0%"), (None, "—", "—")],
)
def test_format_percent(value: float | None, pt: str, en: str) -> None:
    assert format_percent(value, "pt-BR") == pt
    assert format_percent(value, "en") == en


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [(0.4, "0 s"), (42.0, "42 s"), (95.0, "1 min 35 s"), (3600.0, "1 h 00 min"), (3720.0, "1 h 02 min"), (None, "—")],
)
def test_format_duration(seconds: float | None, expected: str) -> None:
    assert format_duration(seconds, "pt-BR") == expected


def test_dates() -> None:
    day = date(2024, 3, 5)
    assert format_date(day, "pt-BR") == "05/03/2024"
    assert format_date(day, "en") == "2024-03-05"
    assert format_long_date(day, "pt-BR") == "terça-feira, 5 de março de 2024"
    assert format_long_date(day, "en") == "Tuesday, March 5, 2024"


def test_both_languages_have_every_label_and_unknown_ones_are_refused() -> None:
    assert LABELS["pt-BR"].keys() == LABELS["en"].keys()
    assert check_lang("en") == "en"
    with pytest.raises(ValueError, match="use one of pt-BR, en"):
        check_lang("fr")
