"""Every figure explains itself where it is shown, in the reader's language (issue 10, item 9)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from nicegui import ui
from nicegui.testing import User

from shopflow.reports.periods import local_now
from shopflow.storage.db import Database
from shopflow.storage.records import Language
from shopflow.web.explain import EXPLANATIONS
from shopflow.web.i18n import translate
from tests.integration.reports.helpers import SAO_PAULO, entry, local, make_store, stay, write

from .conftest import RETRIES, add_user, sign_in

LANGS = [pytest.param(Language.PT_BR, id="pt-BR"), pytest.param(Language.EN, id="en")]


def _explained(user: User) -> dict[str, tuple[str, str]]:
    """Each help icon's figures -> (its accessible name, its tooltip)."""
    found: dict[str, tuple[str, str]] = {}
    for icon in user.find(marker="explain").elements:
        [tooltip] = [child for child in icon.descendants() if isinstance(child, ui.tooltip)]
        found[str(icon.props["data-explains"])] = (str(icon.props["aria-label"]), tooltip.text)
    return found


def _says(lang: Language, *figures: str) -> str:
    return " ".join(translate(lang.value, EXPLANATIONS[figure]) for figure in figures)  # type: ignore[arg-type]


@pytest.mark.parametrize("lang", LANGS)
async def test_the_overview_cards_explain_their_figures(user: User, database: Database, lang: Language) -> None:
    add_user(database, language=lang)
    make_store(database)
    await sign_in(user)
    await user.should_see(marker="people-now", retries=RETRIES)
    explained = _explained(user)
    for figure in ("people_now", "entries", "potential_customers", "employees_present", "groups"):
        name, tooltip = explained[figure]
        assert tooltip == _says(lang, figure)
        assert name.endswith(tooltip), "a screen reader hears the explanation too"
    assert "average_dwell_seconds" in explained
    # Plain words, not the figure's name again: a potential customer is a party that may buy.
    potential = explained["potential_customers"][1]
    assert ("grupo" in potential) if lang is Language.PT_BR else ("group" in potential)
    # "Entradas" counts everyone; it says how "Entradas de clientes" differ.
    assert ("Entradas de clientes" in explained["entries"][1]) if lang is Language.PT_BR else True


@pytest.mark.parametrize("lang", LANGS)
async def test_the_analytics_figures_and_tables_explain_themselves(
    user: User, database: Database, lang: Language
) -> None:
    add_user(database, language=lang)
    _, [camera] = make_store(database)
    day = local_now(SAO_PAULO).date() - timedelta(days=1)
    at = local(SAO_PAULO, day.year, day.month, day.day, 11)
    write(database, camera.id, [entry(at), stay("shelf", at, 40.0), stay("shelf", at, 100.0)])
    await sign_in(user)
    await user.open("/analytics")
    await user.should_see(marker="daily-chart", retries=RETRIES)
    explained = _explained(user)
    for figure in ("entries", "potential_customers", "groups", "average_dwell_seconds"):
        assert explained[figure][1] == _says(lang, figure)
    assert explained["entries,exits,potential_customers"][1] == _says(lang, "entries", "exits", "potential_customers")
    # The zone table's abbreviations and the comparison's change are spelt out under them.
    await user.should_see(_says(lang, "visits", "mean", "median", "p90"), retries=RETRIES)
    await user.should_see(_says(lang, "change"), retries=RETRIES)
    await user.should_see("P90: 9 de cada 10" if lang is Language.PT_BR else "P90: 9 in 10", retries=RETRIES)
