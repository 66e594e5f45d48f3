"""Labels and number/date formats of the exports, in Brazilian Portuguese (the default) or English.

Formatting is done here rather than with the `locale` module: a server rarely has pt_BR locales installed, and
`locale` is process-wide state that two requests in different languages would fight over.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Literal

Lang = Literal["pt-BR", "en"]
LANGUAGES: tuple[Lang, ...] = ("pt-BR", "en")
DEFAULT_LANG: Lang = "pt-BR"

LABELS: dict[Lang, dict[str, str]] = {
    "pt-BR": {
        "entries": "Entradas",
        "exits": "Saídas",
        "customer_entries": "Entradas de clientes",
        "unique_visitors": "Visitantes únicos",
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
        "continued": "continuação",
    },
    "en": {
        "entries": "Entries",
        "exits": "Exits",
        "customer_entries": "Customer entries",
        "unique_visitors": "Unique visitors",
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
        "continued": "continued",
    },
}

_WEEKDAYS: dict[Lang, tuple[str, ...]] = {
    "pt-BR": ("segunda-feira", "terça-feira", "quarta-feira", "quinta-feira", "sexta-feira", "sábado", "domingo"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_MONTHS: dict[Lang, tuple[str, ...]] = {
    "pt-BR": (
        "janeiro",
        "fevereiro",
        "março",
        "abril",
        "maio",
        "junho",
        "julho",
        "agosto",
        "setembro",
        "outubro",
        "novembro",
        "dezembro",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}


def check_lang(lang: str) -> Lang:
    """`lang` if supported, else ValueError naming the choices."""
    for known in LANGUAGES:
        if lang == known:
            return known
    raise ValueError(f"unsupported language {lang!r}; use one of {', '.join(LANGUAGES)}")


def label(lang: Lang, key: str) -> str:
    return LABELS[lang][key]


def decimal_separator(lang: Lang) -> str:
    return "," if lang == "pt-BR" else "."


def format_number(value: float | None, lang: Lang, digits: int = 0) -> str:
    """1234.5 -> "1.234,5" (pt-BR) or "1,234.5" (en); None or NaN -> a dash."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return LABELS[lang]["no_data"]
    text = f"{value:,.{digits}f}"
    if lang == "pt-BR":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def format_plain_number(value: float | None, lang: Lang, digits: int = 1) -> str:
    """A number for a CSV cell: no thousands separator (spreadsheets would read it as text), locale decimals."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    text = f"{value:.{digits}f}"
    return text.replace(".", decimal_separator(lang))


def format_percent(value: float | None, lang: Lang) -> str:
    """+12.3 -> "+12,3%" (pt-BR) or "+12.3%" (en); None -> a dash (nothing to compare with)."""
    if value is None:
        return LABELS[lang]["no_data"]
    sign = "+" if value > 0 else ""
    return f"{sign}{format_number(value, lang, 1)}%"


def format_date(day: date, lang: Lang) -> str:
    """10/03/2024 (pt-BR) or 2024-03-10 (en: ISO, which no English reader misreads)."""
    return day.strftime("%d/%m/%Y") if lang == "pt-BR" else day.isoformat()


def format_long_date(day: date, lang: Lang) -> str:
    """domingo, 10 de março de 2024 / Sunday, March 10, 2024."""
    weekday = _WEEKDAYS[lang][day.weekday()]
    month = _MONTHS[lang][day.month - 1]
    if lang == "pt-BR":
        return f"{weekday}, {day.day} de {month} de {day.year}"
    return f"{weekday}, {month} {day.day}, {day.year}"


def format_time(moment: datetime) -> str:
    """14:00 in both languages (Brazil and ISO both use the 24-hour clock)."""
    return moment.strftime("%H:%M")


def format_datetime(moment: datetime, lang: Lang) -> str:
    return f"{format_date(moment.date(), lang)} {format_time(moment)}"


def format_duration(seconds: float | None, lang: Lang) -> str:
    """95 -> "1 min 35 s"; 3720 -> "1 h 02 min"; under a minute -> "42 s"; None -> a dash."""
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
