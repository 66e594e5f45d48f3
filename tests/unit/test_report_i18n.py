"""Numbers, dates and durations in the reports' two languages."""

from __future__ import annotations

import textwrap
from datetime import date, datetime, timedelta, timezone

import pytest

from shopflow.reports.i18n import (
    LABELS,
    check_lang,
    decimal_separator,
    format_date,
    format_datetime,
    format_duration,
    format_long_date,
    format_number,
    format_percent,
    format_plain_number,
    format_time,
)
from shopflow.reports.pdf import VISITORS_NOTE_WIDTH
from shopflow.reports.visitors import VisitorsRule, explanation_key, label_key


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


# Babel-backed formatting: the separators, signs and roundings the exports and the dashboard had before Babel.
@pytest.mark.parametrize(
    ("value", "digits", "pt", "en"),
    [
        (0, 0, "0", "0"),
        (0.0, 2, "0,00", "0.00"),
        (999, 0, "999", "999"),
        (1000, 0, "1.000", "1,000"),
        (-1234567.891, 2, "-1.234.567,89", "-1,234,567.89"),
        (-0.5, 1, "-0,5", "-0.5"),
        (1_000_000_000_000, 0, "1.000.000.000.000", "1,000,000,000,000"),
        (2.675, 2, "2,67", "2.67"),  # the float is just under 2.675: rounded as Python always did here
        (2.5, 0, "2", "2"),  # halves to even
        (3.5, 0, "4", "4"),
        (float("inf"), 0, "—", "—"),
        (float("-inf"), 1, "—", "—"),
    ],
)
def test_format_number_signs_sizes_and_rounding(value: float, digits: int, pt: str, en: str) -> None:
    assert format_number(value, "pt-BR", digits) == pt
    assert format_number(value, "en", digits) == en


@pytest.mark.parametrize(
    ("value", "digits", "pt", "en"),
    [
        (-1234.56, 1, "-1234,6", "-1234.6"),
        (1234567.0, 0, "1234567", "1234567"),
        (12.0, 2, "12,00", "12.00"),
        (float("nan"), 1, "", ""),
        (float("inf"), 1, "", ""),
    ],
)
def test_plain_numbers_signs_and_sizes(value: float, digits: int, pt: str, en: str) -> None:
    assert format_plain_number(value, "pt-BR", digits) == pt
    assert format_plain_number(value, "en", digits) == en


@pytest.mark.parametrize(
    ("value", "pt", "en"),
    [
        (1234.5, "+1.234,5%", "+1,234.5%"),
        (-100.0, "-100,0%", "-100.0%"),
        (0.04, "+0,0%", "+0.0%"),  # a rise too small to show still says it is one
        (12.25, "+12,2%", "+12.2%"),
        (float("nan"), "—", "—"),
        (float("inf"), "—", "—"),
    ],
)
def test_format_percent_signs_sizes_and_missing(value: float, pt: str, en: str) -> None:
    assert format_percent(value, "pt-BR") == pt
    assert format_percent(value, "en") == en


@pytest.mark.parametrize(
    ("day", "pt", "en", "pt_long", "en_long"),
    [
        (
            date(2024, 12, 31),
            "31/12/2024",
            "2024-12-31",
            "terça-feira, 31 de dezembro de 2024",
            "Tuesday, December 31, 2024",
        ),
        (
            date(2025, 1, 1),
            "01/01/2025",
            "2025-01-01",
            "quarta-feira, 1 de janeiro de 2025",
            "Wednesday, January 1, 2025",
        ),
        (
            date(2024, 2, 29),
            "29/02/2024",
            "2024-02-29",
            "quinta-feira, 29 de fevereiro de 2024",
            "Thursday, February 29, 2024",
        ),
        (date(2024, 3, 10), "10/03/2024", "2024-03-10", "domingo, 10 de março de 2024", "Sunday, March 10, 2024"),
    ],
)
def test_dates_in_both_languages(day: date, pt: str, en: str, pt_long: str, en_long: str) -> None:
    assert format_date(day, "pt-BR") == pt
    assert format_date(day, "en") == en
    assert format_long_date(day, "pt-BR") == pt_long
    assert format_long_date(day, "en") == en_long


@pytest.mark.parametrize(
    ("moment", "time", "pt", "en"),
    [
        (datetime(2024, 3, 5, 9, 5), "09:05", "05/03/2024 09:05", "2024-03-05 09:05"),
        (datetime(2024, 3, 5, 23, 59, 59), "23:59", "05/03/2024 23:59", "2024-03-05 23:59"),
        # An aware moment keeps its own clock: São Paulo's 00:30 is not moved to UTC's 03:30.
        (
            datetime(2024, 3, 5, 0, 30, tzinfo=timezone(timedelta(hours=-3))),
            "00:30",
            "05/03/2024 00:30",
            "2024-03-05 00:30",
        ),
    ],
)
def test_times_use_the_24_hour_clock_on_the_moments_own_clock(moment: datetime, time: str, pt: str, en: str) -> None:
    assert format_time(moment) == time
    assert format_time(moment, "en") == time
    assert format_datetime(moment, "pt-BR") == pt
    assert format_datetime(moment, "en") == en


def test_decimal_separators_follow_the_language() -> None:
    assert decimal_separator("pt-BR") == ","
    assert decimal_separator("en") == "."


@pytest.mark.parametrize("lang", ["pt-BR", "en"])
def test_every_visitors_definition_fits_the_pdfs_two_lines(lang: str) -> None:
    """The PDF leaves room for two lines between its figures and its chart (reports/pdf.py)."""
    for rule in VisitorsRule:
        text = f"{LABELS[lang][label_key(rule)]}: {LABELS[lang][explanation_key(rule)]}"  # type: ignore[index]
        assert len(textwrap.wrap(text, VISITORS_NOTE_WIDTH)) <= 2, (lang, rule)
