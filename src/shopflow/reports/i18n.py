"""Labels and number/date formats of the exports, in Brazilian Portuguese (the default) or English.

Numbers and dates are formatted by Babel with an explicit locale on every call, never with the `locale` module:
a server rarely has pt_BR locales installed, and `locale` is process-wide state that two requests in different
languages would fight over (Babel with no locale would read the process's LC_* variables, hence always one).
"""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from babel import Locale, dates, numbers

Lang = Literal["pt-BR", "en"]
LANGUAGES: tuple[Lang, ...] = ("pt-BR", "en")
DEFAULT_LANG: Lang = "pt-BR"

LABELS: dict[Lang, dict[str, str]] = {
    "pt-BR": {
        "entries": "Entradas",
        "exits": "Saídas",
        "customer_entries": "Entradas de clientes",
        "unique_visitors": "Visitantes únicos",
        "unique_visitors_at_least": "Visitantes únicos (no mínimo)",
        "visitors_rule": "Visitantes únicos: definição",
        # Which definition of unique visitors is in force (reports/visitors.py), shown wherever the figure is.
        "visitors_rule_entrances": "Entradas de clientes pelas linhas de entrada da loja: cada visitante entra "
        "uma vez por visita, mesmo que várias câmeras o vejam (quem sai e volta conta de novo; funcionários não "
        "contam).",
        "visitors_rule_camera": "Pessoas diferentes que a câmera viu, reconhecidas pelas cores da roupa (quem volta "
        "pouco depois não conta de novo; funcionários não contam).",
        "visitors_rule_largest_camera": "No mínimo: a câmera que mais viu pessoas. Sem linha de entrada, somar as "
        "câmeras contaria duas vezes quem passa por duas; desenhe uma linha em cada porta para contar todos.",
        "potential_customers": "Clientes potenciais",
        "groups": "Grupos",
        "visits": "Visitas às zonas",
        "visits_short": "Visitas",
        "average_dwell_seconds": "Permanência média",
        "average_dwell_seconds_s": "Permanência média (s)",
        "peak_occupancy": "Ocupação máxima",
        "peak_hour": "Horário de pico",
        "date": "Data",
        "hour": "Hora",
        "start_iso": "Início (ISO 8601)",
        "camera": "Câmera",
        "zone": "Zona",
        "mean": "Média",
        "median": "Mediana",
        "p90": "P90",
        "hourly_sheet": "Por hora",
        "summary_sheet": "Resumo",
        "store": "Loja",
        "period": "Período",
        "all_cameras": "Todas as câmeras",
        "total": "Total",
        "daily_report": "Relatório diário",
        "figure": "Indicador",
        "today": "Dia",
        "last_week": "Mesmo dia da semana passada",
        "change": "Variação",
        "hourly_entries": "Entradas por hora",
        "zone_dwell": "Permanência por zona (clientes)",
        "no_zones": "Nenhuma zona configurada.",
        "generated": "Gerado em",
        "timezone": "Fuso horário",
        "no_data": "—",
        "missing": "sem dados",
        "continued": "continuação",
        "daily_sheet": "Por dia",
        "zone_sheet": "Por zona",
        "mean_s": "Média (s)",
        "median_s": "Mediana (s)",
        "p90_s": "P90 (s)",
        "coverage": "Horas consideradas",
        "coverage_all_hours": "Todas as 24 horas do dia",
        "coverage_opening_hours": "Só o horário de funcionamento (cada hora que o toca conta inteira)",
        "outside_hours": "Fora do horário de funcionamento",
        "range_report": "Relatório do período",
        "previous_period": "Período anterior",
        "daily_entries": "Entradas por dia",
    },
    "en": {
        "entries": "Entries",
        "exits": "Exits",
        "customer_entries": "Customer entries",
        "unique_visitors": "Unique visitors",
        "unique_visitors_at_least": "Unique visitors (at least)",
        "visitors_rule": "Unique visitors: definition",
        "visitors_rule_entrances": "Customer entries through the store's entrance lines: each visitor walks in "
        "once per visit, however many cameras see them (someone who leaves and comes back counts again; employees "
        "do not count).",
        "visitors_rule_camera": "Different people the camera saw, recognised by the colours of their clothes "
        "(someone back soon after does not count again; employees do not count).",
        "visitors_rule_largest_camera": "At least: the camera that saw the most people. Without an entrance line, "
        "adding the cameras up would count twice whoever passes two of them; draw a line at every door to count "
        "everyone.",
        "potential_customers": "Potential customers",
        "groups": "Groups",
        "visits": "Zone visits",
        "visits_short": "Visits",
        "average_dwell_seconds": "Average dwell",
        "average_dwell_seconds_s": "Average dwell (s)",
        "peak_occupancy": "Peak occupancy",
        "peak_hour": "Peak hour",
        "date": "Date",
        "hour": "Hour",
        "start_iso": "Start (ISO 8601)",
        "camera": "Camera",
        "zone": "Zone",
        "mean": "Mean",
        "median": "Median",
        "p90": "P90",
        "hourly_sheet": "Hourly",
        "summary_sheet": "Summary",
        "store": "Store",
        "period": "Period",
        "all_cameras": "All cameras",
        "total": "Total",
        "daily_report": "Daily report",
        "figure": "Figure",
        "today": "Day",
        "last_week": "Same weekday last week",
        "change": "Change",
        "hourly_entries": "Entries per hour",
        "zone_dwell": "Dwell per zone (customers)",
        "no_zones": "No zones configured.",
        "generated": "Generated",
        "timezone": "Time zone",
        "no_data": "—",
        "missing": "no data",
        "continued": "continued",
        "daily_sheet": "Daily",
        "zone_sheet": "By zone",
        "mean_s": "Mean (s)",
        "median_s": "Median (s)",
        "p90_s": "P90 (s)",
        "coverage": "Hours covered",
        "coverage_all_hours": "All 24 hours of the day",
        "coverage_opening_hours": "Opening hours only (any hour they touch counts whole)",
        "outside_hours": "Outside opening hours",
        "range_report": "Period report",
        "previous_period": "Previous period",
        "daily_entries": "Entries per day",
    },
}


def check_lang(lang: str) -> Lang:
    """`lang` if supported, else ValueError naming the choices."""
    for known in LANGUAGES:
        if lang == known:
            return known
    raise ValueError(f"unsupported language {lang!r}; use one of {', '.join(LANGUAGES)}")


def label(lang: Lang, key: str) -> str:
    return LABELS[lang][key]


# Babel's locale of each language.
_LOCALES: dict[Lang, Locale] = {"pt-BR": Locale("pt", "BR"), "en": Locale("en")}

# Explicit patterns rather than CLDR's "short" ones: the exports' columns must not change with a Babel upgrade,
# and English uses ISO dates, which no English reader misreads (CLDR's en short date is 3/5/24).
_DATE_PATTERNS: dict[Lang, str] = {"pt-BR": "dd/MM/yyyy", "en": "yyyy-MM-dd"}
# Brazil and ISO both use the 24-hour clock.
_TIME_PATTERN = "HH:mm"


def _exact(value: float) -> Decimal:
    """The float's exact value, so a half is rounded as Python's own formatting always did here (2.675 -> 2.67):
    Babel would go through str(), which reads 2.675 as exactly half and rounds it to 2.68."""
    return Decimal(value)


def _decimals_pattern(digits: int, grouping: bool) -> str:
    """A CLDR number pattern with exactly `digits` decimals: (2, True) -> "#,##0.00"."""
    integer = "#,##0" if grouping else "0"
    return f"{integer}.{'0' * digits}" if digits > 0 else integer


def decimal_separator(lang: Lang) -> str:
    return numbers.get_decimal_symbol(_LOCALES[lang])


def format_number(value: float | None, lang: Lang, digits: int = 0) -> str:
    """1234.5 -> "1.234,5" (pt-BR) or "1,234.5" (en); None or NaN -> a dash."""
    if value is None or not math.isfinite(value):
        return LABELS[lang]["no_data"]
    return numbers.format_decimal(_exact(value), format=_decimals_pattern(digits, True), locale=_LOCALES[lang])


def format_plain_number(value: float | None, lang: Lang, digits: int = 1) -> str:
    """A number for a CSV cell: no thousands separator (spreadsheets would read it as text), locale decimals."""
    if value is None or not math.isfinite(value):
        return ""
    return numbers.format_decimal(_exact(value), format=_decimals_pattern(digits, False), locale=_LOCALES[lang])


def format_percent(value: float | None, lang: Lang) -> str:
    """A change already in percent: +12.3 -> "+12,3%" (pt-BR) or "+12.3%" (en), a rise signed as a fall is;
    None (nothing to compare with) or NaN -> a dash."""
    if value is None or not math.isfinite(value):
        return LABELS[lang]["no_data"]
    locale = _LOCALES[lang]
    # scaleb(-2) shifts the exponent, so no rounding happens before Babel multiplies by 100 again.
    text = numbers.format_percent(_exact(value).scaleb(-2), format=_decimals_pattern(1, True) + "%", locale=locale)
    return numbers.get_plus_sign_symbol(locale) + text if value > 0 else text


def format_date(day: date, lang: Lang) -> str:
    """10/03/2024 (pt-BR) or 2024-03-10 (en)."""
    return dates.format_date(day, _DATE_PATTERNS[lang], locale=_LOCALES[lang])


def format_long_date(day: date, lang: Lang) -> str:
    """domingo, 10 de março de 2024 / Sunday, March 10, 2024 (CLDR's full date)."""
    return dates.format_date(day, "full", locale=_LOCALES[lang])


def format_time(moment: datetime, lang: Lang = DEFAULT_LANG) -> str:
    """14:00, on `moment`'s own clock (Babel converts nothing when given no time zone)."""
    return dates.format_time(moment, _TIME_PATTERN, locale=_LOCALES[lang])


def format_datetime(moment: datetime, lang: Lang) -> str:
    """10/03/2024 14:00 (pt-BR) or 2024-03-10 14:00 (en), on `moment`'s own clock."""
    return dates.format_datetime(moment, f"{_DATE_PATTERNS[lang]} {_TIME_PATTERN}", locale=_LOCALES[lang])


def format_duration(seconds: float | None, lang: Lang) -> str:
    """95 -> "1 min 35 s"; 3720 -> "1 h 02 min"; under a minute -> "42 s"; None -> a dash.

    Written here, not with Babel: `babel.dates.format_timedelta` rounds to a single unit ("2 minutes"), and a
    dwell time needs both units in the compact form the cards and the PDF share."""
    if seconds is None or not math.isfinite(seconds):
        return LABELS[lang]["no_data"]
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {secs:02d} s"
    return f"{secs} s"
