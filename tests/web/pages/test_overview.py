"""The overview: figures from the reports services, the first step without cameras, and offline banners."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from nicegui import ui
from nicegui.testing import User

from shopflow.domain.cameras import CameraStatus
from shopflow.reports import today
from shopflow.reports.i18n import format_number
from shopflow.storage.db import Database
from shopflow.storage.repositories import CameraRepository
from tests.integration.reports.helpers import entry, exit_, make_store, parties, stay, write

from .conftest import RETRIES, add_store, add_user, sign_in


def _text(user: User, marker: str) -> str:
    [label] = user.find(marker=marker).elements
    assert isinstance(label, ui.label)
    return label.text


async def test_a_store_without_cameras_gets_a_first_step_not_empty_charts(user: User, database: Database) -> None:
    add_user(database)
    add_store(database)
    await sign_in(user)
    await user.should_see(marker="first-step", retries=RETRIES)
    await user.should_see("Comece adicionando uma câmera", retries=RETRIES)
    await user.should_not_see(marker="hourly-chart")
    user.find("Adicionar câmera").click()
    await user.should_see("Nova câmera", retries=RETRIES)


async def test_todays_figures_are_the_reports_services_figures(user: User, database: Database) -> None:
    add_user(database)
    store, [camera] = make_store(database)
    now = datetime.now(UTC) - timedelta(minutes=1)
    write(
        database,
        camera.id,
        [
            entry(now),
            entry(now),
            entry(now),
            exit_(now),
            stay("shelf", now - timedelta(seconds=90), 90.0),
            parties(now, potential_customers=2, groups=1, visitors=3),
        ],
    )
    await sign_in(user)
    await user.should_see(marker="hourly-chart", retries=RETRIES)
    with database.session() as session:
        expected = today.today(session, store.id).today
    assert expected.entries == 3
    assert _text(user, "entries-today") == format_number(expected.entries, "pt-BR")
    assert _text(user, "potential-today") == "2"
    assert _text(user, "groups-today") == "1"
    assert _text(user, "dwell-today") == "1 min 30 s"
    assert _text(user, "people-now") == "0"  # no snapshot: nobody counted now
    await user.should_see("Entrada pela linha “door”", retries=RETRIES)
    await user.should_see("Visita à zona “shelf”", retries=RETRIES)


async def test_an_offline_camera_says_so_with_its_reason(user: User, database: Database) -> None:
    add_user(database)
    _, [camera] = make_store(database)
    with database.session() as session:
        CameraRepository(session).set_status(camera.id, CameraStatus.ERROR, "could not connect to rtsp://10.0.0.1")
    await sign_in(user)
    await user.should_see(
        "A câmera “cam 1” não está contando (com erro): could not connect to rtsp://10.0.0.1", retries=RETRIES
    )
    await user.open("/cameras")
    await user.should_see("could not connect to rtsp://10.0.0.1", retries=RETRIES)
    await user.open("/analytics")
    await user.should_see("A câmera “cam 1” não está contando (com erro)", retries=RETRIES)


async def test_several_stores_get_a_store_picker(user: User, database: Database) -> None:
    add_user(database)
    make_store(database, name="Centro")
    make_store(database, name="Shopping")
    await sign_in(user)
    await user.should_see(marker="store-picker", retries=RETRIES)


async def test_a_new_event_on_the_realtime_channel_redraws_the_figures_at_once(
    user: User, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Today's figures and the feed are redrawn when the realtime channel says something happened, not only on
    their slow timer (switched off here, so only the channel can bring the new crossing)."""
    import asyncio

    from shopflow.web.context import runtime
    from shopflow.web.pages import overview

    monkeypatch.setattr(overview, "SLOW_EVERY", 1_000_000)
    add_user(database)
    store, [camera] = make_store(database)
    now = datetime.now(UTC) - timedelta(minutes=1)
    await sign_in(user)
    await user.should_see("Nenhum evento ainda hoje.", retries=RETRIES)
    broker = runtime().broker  # the app serving the page now (each test runs the dashboard's main file anew)
    broker.bind(asyncio.get_running_loop())
    write(database, camera.id, [entry(now)])
    await asyncio.sleep(2.5)  # live ticks pass: without a message on the channel nothing is redrawn
    assert _text(user, "entries-today") == "0"
    broker.publish({"type": "event", "event": "crossing", "store_id": store.id})
    await user.should_see("Entrada pela linha “door”", retries=RETRIES)
    assert _text(user, "entries-today") == "1"


async def test_crossings_outside_opening_hours_are_shown_apart(user: User, database: Database) -> None:
    from shopflow.reports.periods import local_now
    from shopflow.storage.records import WEEKDAYS
    from shopflow.storage.repositories import StoreRepository

    add_user(database)
    store, [camera] = make_store(database)
    # Open only on another weekday than today: everything today is outside opening hours.
    other_day = WEEKDAYS[(local_now(store.timezone).weekday() + 3) % 7]
    with database.session() as session:
        StoreRepository(session).update(store.id, opening_hours={other_day: {"open": "09:00", "close": "18:00"}})
    now = datetime.now(UTC) - timedelta(minutes=1)
    write(database, camera.id, [entry(now), entry(now), exit_(now)])
    await sign_in(user)
    await user.should_see(marker="hourly-chart", retries=RETRIES)
    await user.should_see(
        "Fora do horário de funcionamento hoje: 2 entradas, 1 saídas (equipe chegando, limpeza); "
        "não entram nos números acima.",
        retries=RETRIES,
    )
    assert _text(user, "entries-today") == "0"
