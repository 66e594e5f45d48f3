"""/api/analytics over HTTP: figures from real events, files with their headers, and the error answers."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from typing import Any

import cv2
import numpy as np
import openpyxl
import pypdf
import pytest
from fastapi.testclient import TestClient

from shopflow.domain.cameras import CameraStatus
from shopflow.storage.columns import utcnow
from shopflow.storage.db import Database
from shopflow.storage.repositories import CameraRepository, StoreRepository

from ..reports.helpers import DOOR, SAO_PAULO, entry, exit_, heat, local, make_store, parties, seen, stay, write
from .conftest import runtime_of

DAY = date(2024, 3, 10)
STORE_NAME = "Loja São João"


@pytest.fixture
def shop(client: TestClient) -> dict[str, Any]:
    """A store with two cameras and a day of events, written through the server's own database."""
    database: Database = runtime_of(client).database
    store, (door, back) = make_store(database, name=STORE_NAME, cameras=2)

    def at(hour: int, minute: int = 0, day: int = 10) -> datetime:
        return local(SAO_PAULO, 2024, 3, day, hour, minute)

    write(
        database,
        door.id,
        [
            entry(at(9, 10)),
            entry(at(9, 20)),
            entry(at(10, 5)),
            exit_(at(10, 30)),
            stay("shelf", at(9, 30), 90.0),
            stay("shelf", at(9, 40), 30.0),
            entry(at(9, 15, day=3)),  # the same weekday a week before
            heat(at(10), [[0.0, 5.0], [1.0, 0.0]], width=320, height=240),
        ],
    )
    write(database, back.id, [entry(at(23, 30))])
    return {"store": store.id, "door": door.id, "back": back.id, "database": database}


def dates(since: date, until: date) -> dict[str, str]:
    return {"since": since.isoformat(), "until": until.isoformat()}


def test_daily_hourly_zones_and_compare(client: TestClient, shop: dict[str, Any]) -> None:
    store = shop["store"]
    daily = client.get("/api/analytics/daily", params={"store_id": store, **dates(DAY - timedelta(days=7), DAY)})
    assert daily.status_code == 200, daily.text
    body = daily.json()
    assert body["scope"] == {
        "store_id": store,
        "store_name": STORE_NAME,
        "camera_id": None,
        "timezone": SAO_PAULO,
        "unique_visitors_rule": "entrances",
    }
    assert [point["entries"] for point in body["points"]] == [1, 0, 0, 0, 0, 0, 0, 4]
    assert body["totals"]["entries"] == 5

    hourly = client.get(
        "/api/analytics/hourly", params={"store_id": store, "camera_id": shop["door"], **dates(DAY, DAY)}
    ).json()
    assert len(hourly["points"]) == 24
    nine = hourly["points"][9]
    assert nine["start"] == "2024-03-10T09:00:00-03:00"
    assert (nine["entries"], nine["visits"], nine["average_dwell_seconds"]) == (2, 2, 60.0)
    assert hourly["totals"]["entries"] == 3

    zones = client.get("/api/analytics/zones", params={"store_id": store, **dates(DAY, DAY)}).json()
    shelf = next(z for z in zones["zones"] if z["camera_id"] == shop["door"] and z["zone"] == "shelf")
    assert (shelf["visits"], shelf["mean_seconds"], shelf["median_seconds"]) == (2, 60.0, 60.0)
    assert shelf["p90_seconds"] == pytest.approx(84.0)

    compared = client.get("/api/analytics/compare", params={"store_id": store, **dates(DAY, DAY)}).json()
    assert compared["previous"]["since"] == "2024-03-09"
    entries = next(figure for figure in compared["figures"] if figure["name"] == "entries")
    assert entries == {"name": "entries", "current": 4, "previous": 0, "change_percent": None}
    week = client.get(
        "/api/analytics/compare", params={"store_id": store, **dates(DAY, DAY), "against": "2024-03-03"}
    ).json()
    entries = next(figure for figure in week["figures"] if figure["name"] == "entries")
    assert entries["change_percent"] == pytest.approx(300.0)


@pytest.mark.parametrize(("door", "rule"), [(True, "entrances"), (False, "largest_camera")])
def test_one_person_seen_by_two_cameras_is_one_store_visitor(client: TestClient, door: bool, rule: str) -> None:
    """The store's unique visitors count a person once across its cameras, and the answer says by which rule."""
    database: Database = runtime_of(client).database
    with database.session() as session:
        stores = StoreRepository(session)
        store = stores.create(stores.server_organisation("Acme"), "Duas câmeras", timezone=SAO_PAULO)
        cameras = CameraRepository(session)
        first = cameras.create(store.id, "porta", "rtsp://10.0.0.1/s", lines=(DOOR,) if door else ())
        second = cameras.create(store.id, "caixa", "rtsp://10.0.0.2/s")
    ten = local(SAO_PAULO, 2024, 3, 10, 10)
    write(database, first.id, [entry(ten), parties(ten, potential_customers=1, groups=0, visitors=1)])
    write(database, second.id, [parties(ten + timedelta(minutes=2), potential_customers=1, groups=0, visitors=1)])
    params = {"store_id": store.id, **dates(DAY, DAY)}
    for path in ("daily", "hourly"):
        body = client.get(f"/api/analytics/{path}", params=params).json()
        assert (body["totals"]["unique_visitors"], body["scope"]["unique_visitors_rule"]) == (1, rule), path
    compared = client.get("/api/analytics/compare", params=params).json()
    visitors = next(figure for figure in compared["figures"] if figure["name"] == "unique_visitors")
    assert (visitors["current"], compared["scope"]["unique_visitors_rule"]) == (1, rule)
    camera = client.get("/api/analytics/daily", params={**params, "camera_id": second.id}).json()
    assert (camera["totals"]["unique_visitors"], camera["scope"]["unique_visitors_rule"]) == (1, "camera")


def test_now_and_today(client: TestClient, shop: dict[str, Any]) -> None:
    database: Database = shop["database"]
    with database.session() as session:
        CameraRepository(session).set_status(shop["door"], CameraStatus.ONLINE)
    write(database, shop["door"], [seen(utcnow() - timedelta(seconds=3), total=5, employees=2, groups=1)])
    now = client.get("/api/analytics/now", params={"store_id": shop["store"]})
    assert now.status_code == 200
    assert now.headers["cache-control"] == "no-store"
    body = now.json()
    assert (body["occupancy"], body["employees"], body["groups"]) == (5, 2, 1)
    assert [camera["counted"] for camera in body["cameras"]] == [True, False]

    today = client.get("/api/analytics/today", params={"store_id": shop["store"]}).json()
    assert len(today["today"]["hours"]) in (23, 24, 25)
    assert {change["name"] for change in today["vs_last_week"]} >= {"entries", "average_dwell_seconds"}
    assert today["scope"]["timezone"] == SAO_PAULO


def test_files_have_their_type_and_an_attachment_name(client: TestClient, shop: dict[str, Any]) -> None:
    params = {"store_id": shop["store"], **dates(DAY, DAY)}
    csv_response = client.get("/api/analytics/export.csv", params=params)
    assert csv_response.status_code == 200
    assert csv_response.headers["content-type"] == "text/csv; charset=utf-8"
    assert csv_response.headers["content-disposition"] == (
        'attachment; filename="shopflow_loja-sao-joao_2024-03-10_2024-03-10.csv"'
    )
    rows = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][3] == "Entradas" and rows[1 + 9][3] == "2"

    english = client.get("/api/analytics/export.csv", params={**params, "lang": "en"})
    assert next(csv.reader(io.StringIO(english.content.decode("utf-8-sig"))))[3] == "Entries"

    xlsx = client.get("/api/analytics/export.xlsx", params={**params, "camera_id": shop["door"]})
    assert xlsx.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert xlsx.headers["content-disposition"].startswith('attachment; filename="shopflow_loja-sao-joao_camera-')
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert workbook["Por hora"].cell(row=2 + 9, column=4).value == 2

    report = client.get("/api/analytics/report.pdf", params={"store_id": shop["store"], "day": DAY.isoformat()})
    assert report.headers["content-type"] == "application/pdf"
    assert report.headers["content-disposition"] == 'attachment; filename="shopflow_loja-sao-joao_2024-03-10.pdf"'
    text = pypdf.PdfReader(io.BytesIO(report.content)).pages[0].extract_text()
    assert STORE_NAME in text and "Relatório diário" in text


def test_heatmap_png(client: TestClient, shop: dict[str, Any]) -> None:
    response = client.get(
        "/api/analytics/heatmap.png",
        params={"store_id": shop["store"], "camera_id": shop["door"], "since": DAY.isoformat()},
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/png"
    assert response.headers[
        "content-disposition"
    ] == 'inline; filename="heatmap_camera-{}_2024-03-10_2024-03-10.png"'.format(shop["door"])
    image = cv2.imdecode(np.frombuffer(response.content, dtype=np.uint8), cv2.IMREAD_COLOR)
    assert image.shape == (240, 320, 3)  # the camera's frame size, from its heatmap tallies
    assert int(image[60, 240, 2]) - int(image[60, 240, 0]) > 60  # the hot cell (row 0, column 1) is red


def test_the_heatmap_is_drawn_over_the_live_frame_without_boxes_or_numbers(
    client: TestClient, shop: dict[str, Any]
) -> None:
    """Issue 10, item 5: the heatmap's background was the annotated live picture, with boxes, track numbers and
    English counts burned in."""
    from shopflow.domain.geometry import CountingLine
    from shopflow.domain.people import Detections
    from shopflow.pipeline.engine import CameraEngine
    from shopflow.pipeline.sources import Frame

    grey = 120

    def one_person(_image: Any) -> Detections:
        return Detections(
            xyxy=np.array([[200, 60, 240, 180]], dtype=np.float32), confidence=np.array([0.9], dtype=np.float32)
        )

    hub = runtime_of(client).hub
    engine = CameraEngine(320, 240, one_person, lines=[CountingLine("door", (0.1, 0.5), (0.4, 0.5))])
    with hub.watch(shop["door"]):
        for index in range(5):
            image = np.full((240, 320, 3), grey, dtype=np.uint8)
            frame = Frame(image, index, index / 5, utcnow())
            hub.on_frame(shop["door"], engine.process(frame), engine)
    assert hub.picture(shop["door"]) is not None  # an annotated picture exists, with its box and line
    response = client.get(
        "/api/analytics/heatmap.png",
        params={"store_id": shop["store"], "camera_id": shop["door"], "since": "2024-01-01"},  # a day of no data
    )
    assert response.status_code == 200, response.text
    picture = cv2.imdecode(np.frombuffer(response.content, dtype=np.uint8), cv2.IMREAD_COLOR)
    assert picture.shape == (240, 320, 3)
    assert np.abs(picture.astype(int) - grey).max() <= 4  # the scene alone: no box, line, number or word


@pytest.mark.parametrize(
    ("path", "extra"),
    [
        ("/api/analytics/hourly", {}),
        ("/api/analytics/daily", {}),
        ("/api/analytics/zones", {}),
        ("/api/analytics/compare", {}),
        ("/api/analytics/export.csv", {}),
        ("/api/analytics/export.xlsx", {}),
        ("/api/analytics/heatmap.png", {"camera_id": "door"}),
    ],
)
def test_inverted_ranges_are_422_with_a_message(
    client: TestClient, shop: dict[str, Any], path: str, extra: dict[str, str]
) -> None:
    params = {"store_id": shop["store"], **dates(DAY, DAY - timedelta(days=1))}
    params.update({key: shop[value] for key, value in extra.items()})
    response = client.get(path, params=params)
    assert response.status_code == 422
    assert response.json()["detail"] == "since (2024-03-10) is after until (2024-03-09); swap them"


def test_too_long_a_range_and_malformed_values_are_422(client: TestClient, shop: dict[str, Any]) -> None:
    long = client.get("/api/analytics/daily", params={"store_id": shop["store"], **dates(date(2022, 1, 1), DAY)})
    assert long.status_code == 422
    assert "ask for at most 400 days" in long.json()["detail"]
    bad_date = client.get(
        "/api/analytics/daily", params={"store_id": shop["store"], "since": "10/03/2024", "until": "x"}
    )
    assert bad_date.status_code == 422
    bad_lang = client.get(
        "/api/analytics/export.csv", params={"store_id": shop["store"], **dates(DAY, DAY), "lang": "fr"}
    )
    assert bad_lang.status_code == 422


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/analytics/now", {"store_id": 999_999}),
        ("/api/analytics/today", {"store_id": 999_999}),
        ("/api/analytics/daily", {"store_id": 999_999, "since": "2024-03-10", "until": "2024-03-10"}),
        ("/api/analytics/report.pdf", {"store_id": 999_999}),
        (
            "/api/analytics/hourly",
            {"store_id": "store", "camera_id": 999_999, "since": "2024-03-10", "until": "2024-03-10"},
        ),
        ("/api/analytics/heatmap.png", {"store_id": "store", "camera_id": 999_999}),
        ("/api/analytics/heatmap.png", {"store_id": "store", "camera_id": "other"}),
        (
            "/api/analytics/zones",
            {"store_id": "store", "camera_id": "other", "since": "2024-03-10", "until": "2024-03-10"},
        ),
    ],
)
def test_unknown_store_or_camera_is_404(
    client: TestClient, shop: dict[str, Any], path: str, params: dict[str, Any]
) -> None:
    _other_store, (other_camera,) = make_store(shop["database"], name="Norte")
    names = {"store": shop["store"], "other": other_camera.id}
    resolved = {key: names.get(value, value) if isinstance(value, str) else value for key, value in params.items()}
    response = client.get(path, params=resolved)
    assert response.status_code == 404, response.text
    assert "does not exist" in response.json()["detail"]


def test_health(client: TestClient, shop: dict[str, Any]) -> None:
    response = client.get("/api/analytics/health")
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True and body["latency_ms"] >= 0 and body["rollups_last_update"] is not None
    for_store = client.get("/api/analytics/health", params={"store_id": shop["store"]}).json()
    assert for_store["rollups_last_update"] == body["rollups_last_update"]


def test_health_is_503_when_the_database_is_gone(client: TestClient, shop: dict[str, Any]) -> None:
    runtime = runtime_of(client)
    original = runtime.database
    broken = Database.from_url("postgresql://nobody@127.0.0.1:1/nothing", connect_args={"connect_timeout": 2})
    runtime.database = broken
    try:
        response = client.get("/api/analytics/health")
    finally:
        runtime.database = original
        broken.dispose()
    assert response.status_code == 503
    assert response.json() == {
        "ok": False,
        "latency_ms": None,
        "rollups_last_update": None,
        "error": "the analytics database did not answer",
    }


def test_opening_hours_shape_today_compare_and_exports(client: TestClient, shop: dict[str, Any]) -> None:
    """The fixture's store opens 09:00-18:00 on Sundays: the back camera's 23:30 entry is outside."""
    with shop["database"].session() as session:
        StoreRepository(session).update(shop["store"], opening_hours={"sun": {"open": "09:00", "close": "18:00"}})
    params = {"store_id": shop["store"], **dates(DAY, DAY)}
    compared = client.get("/api/analytics/compare", params=params).json()
    assert compared["current"]["totals"]["entries"] == 3
    assert compared["current"]["outside_opening_hours"]["entries"] == 1
    whole = client.get("/api/analytics/daily", params=params).json()
    opening = client.get("/api/analytics/daily", params={**params, "opening_hours_only": "true"}).json()
    assert (whole["totals"]["entries"], opening["totals"]["entries"]) == (4, 3)
    hourly = client.get("/api/analytics/hourly", params={**params, "opening_hours_only": "true"}).json()
    assert len(hourly["points"]) == 9
    exported = client.get("/api/analytics/export.csv", params={**params, "opening_hours_only": "true", "by": "day"})
    assert exported.status_code == 200, exported.text
    assert exported.headers["content-disposition"].endswith('_by-day_opening-hours.csv"')
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[1][:2] == ["10/03/2024", "3"]
    today = client.get("/api/analytics/today", params={"store_id": shop["store"]}).json()
    assert "outside_opening_hours" in today["today"]


def test_exports_by_zone_and_xlsx_on_its_summary(client: TestClient, shop: dict[str, Any]) -> None:
    params = {"store_id": shop["store"], **dates(DAY, DAY), "by": "zone", "lang": "en"}
    xlsx = client.get("/api/analytics/export.xlsx", params=params)
    assert xlsx.status_code == 200, xlsx.text
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert workbook.active is not None and workbook.active.title == "Summary"
    assert [cell.value for cell in workbook["By zone"][1]][:3] == ["Camera", "Zone", "Visits"]
    bad = client.get("/api/analytics/export.csv", params={**params, "by": "week"})
    assert bad.status_code == 422


def test_the_pdf_covers_a_range(client: TestClient, shop: dict[str, Any]) -> None:
    params = {"store_id": shop["store"], **dates(DAY - timedelta(days=6), DAY)}
    report = client.get("/api/analytics/report.pdf", params=params)
    assert report.status_code == 200, report.text
    assert (
        report.headers["content-disposition"]
        == 'attachment; filename="shopflow_loja-sao-joao_2024-03-04_2024-03-10.pdf"'
    )
    text = " ".join(pypdf.PdfReader(io.BytesIO(report.content)).pages[0].extract_text().split())
    assert "Relatório do período" in text and "04/03/2024 – 10/03/2024" in text and "Período anterior" in text
    reversed_range = client.get("/api/analytics/report.pdf", params={**params, "until": "2024-03-01"})
    assert reversed_range.status_code == 422  # as every reversed range in the API
