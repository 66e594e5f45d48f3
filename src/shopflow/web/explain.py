"""What each figure means, said where the figure is shown (issue 10, item 9).

A figure's name alone ("Clientes potenciais", "P90") does not tell a shopkeeper how it is counted. Each figure
the dashboard shows has a plain explanation in the catalogue (web/i18n.py, keys `explain_*`), drawn either as a
help icon beside the figure's name (its tooltip, and its accessible name for screen readers and keyboards) or as
a caption under a table whose column names are abbreviations.
"""

from __future__ import annotations

from nicegui import ui

from shopflow.web.i18n import t

# A figure (as the reports name it, plus the overview's live ones) -> its explanation in the catalogue.
EXPLANATIONS: dict[str, str] = {
    "people_now": "explain_people_now",
    "entries": "explain_entries",
    "customer_entries": "explain_customer_entries",
    "exits": "explain_exits",
    "potential_customers": "explain_potential_customers",
    "groups": "explain_groups",
    "employees_present": "explain_employees_present",
    "average_dwell_seconds": "explain_average_dwell",
    "visits": "explain_visits",
    "mean": "explain_mean",
    "median": "explain_median",
    "p90": "explain_p90",
    "change": "explain_change",
}


def explanation(*figures: str) -> str:
    """The figures' explanations, one after the other, in the reader's language."""
    return " ".join(t(EXPLANATIONS[figure]) for figure in figures)


def help_icon(name: str, *figures: str) -> ui.icon:
    """A small "?" beside a figure called `name`: its tooltip explains the figures; keyboards can reach it and
    screen readers read the explanation as its name."""
    text = explanation(*figures)
    icon = ui.icon("help_outline").classes("text-base text-slate-600 cursor-help shrink-0").mark("explain")
    # Set as a dict entry rather than a props string: the explanation is free text (quotes, parentheses).
    icon.props["role"] = "img"
    icon.props["aria-hidden"] = "false"  # Quasar hides icons from screen readers; this one has something to say
    icon.props["tabindex"] = "0"
    icon.props["aria-label"] = f"{t('what_is_this', name=name)} {text}"
    icon.props["data-explains"] = ",".join(figures)
    with icon:  # inside the icon, so the tooltip belongs to it (and is found with it)
        ui.tooltip(text).classes("text-sm max-w-xs")
    return icon


def caption(*figures: str) -> ui.label:
    """The figures' explanations as a small caption (under a table whose columns are abbreviations)."""
    return ui.label(explanation(*figures)).classes("text-xs text-slate-700").mark("explain-caption")


def titled(name: str, *figures: str, classes: str = "text-sm text-slate-700") -> ui.row:
    """A figure's name followed by its help icon."""
    with ui.row().classes("items-center gap-1 no-wrap") as row:
        ui.label(name).classes(classes)
        help_icon(name, *figures)
    return row
