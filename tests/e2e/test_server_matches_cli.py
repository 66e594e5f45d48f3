"""The server counts exactly what `shopflow analyze` counts on the same video with the same geometry and the same
staff rule, on SQLite and on PostgreSQL, and a server killed mid-run loses nothing it acknowledged and counts
nothing twice.

The store's staff uniform is BJ's jacket (tests/e2e/test_vtest_staff.py): the CLI and the server's camera worker
must both tell him apart, and the server's stored customer figures must leave out exactly what the CLI's do."""

from __future__ import annotations

import shutil
import time
from collections import Counter
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from shopflow.analysis.report import AnalysisReport
from shopflow.config.geometry import parse_line, parse_zone
from shopflow.pipeline.analyze import analyze_source
from shopflow.pipeline.staff import StaffConfig
from shopflow.services.demo import sample_video
from shopflow.vision.detector import YoloOnnxDetector
from shopflow.vision.model_files import resolve_model
from shopflow.vision.uniform import Uniform, uniform_from_box
from tests.sample_video import sample_frame

from .server import Server, running_server

pytestmark = pytest.mark.video

SAMPLE = sample_video()
LINES = {"vertical": ((0.40, 0.98), (0.40, 0.28)), "horizontal": ((0.30, 0.50), (1.00, 0.50))}
# Which side is the store's inside: `in` enters through the vertical line, `out` through the horizontal one, so
# BJ's outward crossing of the horizontal line is an entry and the customer entries must leave it out.
INSIDE = {"vertical": "positive", "horizontal": "negative"}
ENTRY_DIRECTION = {"vertical": "in", "horizontal": "out"}
ZONES = {"plaza": [(0.45, 0.35), (0.95, 0.35), (0.95, 0.80), (0.45, 0.80)]}
FPS = 5.0
# What is compared is the two doors, not accuracy (tests/e2e/test_vtest_counts.py measures that at 640): 480 is
# the input size that counts the sample the same at 5 fps (docs/benchmarks.md) at 1.6 times the speed.
IMGSZ = 480


def bj_jacket() -> Uniform:
    """The uniform as the dashboard takes it: a box drawn round BJ on frame 670, the jacket only."""
    return replace(uniform_from_box(sample_frame(670), (565.0, 264.0, 598.0, 371.0), "jaqueta azul"), lower=None)


@pytest.fixture(scope="module")
def cli_report() -> AnalysisReport:
    detector = YoloOnnxDetector(resolve_model("yolo11n"), imgsz=IMGSZ, confidence=0.1)
    return analyze_source(
        str(SAMPLE),
        detector.detect,
        lines=[parse_line(f"{name}:{a[0]},{a[1]},{b[0]},{b[1]}") for name, (a, b) in LINES.items()],
        zones=[parse_zone(f"{name}:" + ";".join(f"{x},{y}" for x, y in polygon)) for name, polygon in ZONES.items()],
        sample_fps=FPS,
        staff=StaffConfig(uniform=bj_jacket()),
    )


def in_media(data_dir: Path) -> Path:
    """A copy of the sample in the server's media folder (DATA_DIR/media), where video sources must be."""
    video = data_dir / "media" / "entrada.avi"
    video.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(SAMPLE, video)
    return video


def add_camera(server: Server, video: Path) -> int:
    store_id = server.get("/api/stores")[0]["id"]
    server.send("PUT", f"/api/stores/{store_id}/uniform", bj_jacket().to_json())
    for camera in server.get("/api/cameras", store_id=store_id):
        if camera["is_demo"]:  # the demo would share the CPU; it is not what is measured here
            server.send("PATCH", f"/api/cameras/{camera['id']}", {"enabled": False})
    camera = server.send(
        "POST",
        "/api/cameras",
        {
            "store_id": store_id,
            "name": "Entrada",
            "source_url": str(video),
            "sample_fps": FPS,
            "imgsz": IMGSZ,
            "lines": [{"name": n, "a": a, "b": b, "inside": INSIDE[n]} for n, (a, b) in LINES.items()],
            "zones": [{"name": n, "polygon": p} for n, p in ZONES.items()],
            "loop_video": False,
            "realtime_pace": False,
        },
    )
    return int(camera["id"])


def server_figures(server: Server, camera_id: int) -> dict[str, Any]:
    crossings = server.all_events(camera_id, "crossing")
    visits = server.all_events(camera_id, "visit")
    by_line = Counter((c["line"], c["direction"]) for c in crossings)
    staff = Counter((c["line"], c["direction"]) for c in crossings if c["person_kind"] == "employee")
    camera = server.get(f"/api/cameras/{camera_id}")
    today = date.today()
    daily = server.get(
        "/api/analytics/daily",
        store_id=camera["store_id"],
        camera_id=camera_id,
        since=(today - timedelta(days=1)).isoformat(),
        until=(today + timedelta(days=1)).isoformat(),
    )
    totals = daily["totals"]
    return {
        "lines": {name: {"in": by_line[(name, "in")], "out": by_line[(name, "out")]} for name in LINES},
        "visits": Counter(v["zone"] for v in visits),
        "rollup_entries_exits": (totals["entries"], totals["exits"]),
        "customer_entries": totals["customer_entries"],
        "staff_crossings": {key: count for key, count in staff.items() if count},
        "unique_visitors": totals["unique_visitors"],
        "potential_customers": totals["potential_customers"],
        "groups": totals["groups"],
        "keys": len({c["id"] for c in crossings}) == len(crossings),
    }


def stored_figures(server: Server, camera_id: int, expected: dict[str, Any], timeout: float = 60.0) -> dict[str, Any]:
    """The server's figures once the event writer has stored the last events (it flushes about every second):
    polled until they stop differing from `expected` or `timeout` passes, then returned for the caller to check."""
    deadline = time.monotonic() + timeout
    figures = server_figures(server, camera_id)
    while figures != expected and time.monotonic() < deadline:
        time.sleep(0.2)
        figures = server_figures(server, camera_id)
    return figures


def expected_figures(report: AnalysisReport) -> dict[str, Any]:
    exit_direction = {"in": "out", "out": "in"}
    entries = sum(c[ENTRY_DIRECTION[name]] for name, c in report.lines.items())
    exits = sum(c[exit_direction[ENTRY_DIRECTION[name]]] for name, c in report.lines.items())
    staff = {
        (name, direction): report.staff.crossings(name, direction)
        for name in report.lines
        for direction in ("in", "out")
        if report.staff.crossings(name, direction)
    }
    staff_entries = sum(report.staff.crossings(name, ENTRY_DIRECTION[name]) for name in report.lines)
    return {
        "lines": report.lines,
        "visits": Counter({name: zone.visits for name, zone in report.zones.items()}),
        "rollup_entries_exits": (entries, exits),
        "customer_entries": entries - staff_entries,
        "staff_crossings": staff,
        "unique_visitors": report.unique_visitors,
        "potential_customers": report.potential_customers,
        "groups": report.groups,
        "keys": True,
    }


def test_the_cli_tells_bj_apart_by_his_jacket(cli_report: AnalysisReport) -> None:
    """The premise of the comparison: the uniform makes one track staff, and his crossing of the entrance counts."""
    assert cli_report.staff.by_rule()["uniform"] == 1
    assert expected_figures(cli_report)["staff_crossings"] == {("vertical", "out"): 1, ("horizontal", "out"): 1}


def test_server_counts_equal_cli_counts(empty_url: str, tmp_path: Path, cli_report: AnalysisReport) -> None:
    video = in_media(tmp_path)
    with running_server(tmp_path, empty_url) as server:
        camera_id = add_camera(server, video)
        server.wait_for_state(camera_id, "finished", timeout=600)
        expected = expected_figures(cli_report)
        assert stored_figures(server, camera_id, expected) == expected


def test_restart_mid_run_loses_nothing_and_counts_nothing_twice(
    empty_url: str, tmp_path: Path, cli_report: AnalysisReport
) -> None:
    video = in_media(tmp_path)
    server = Server(tmp_path, empty_url)
    server.start()
    try:
        camera_id = add_camera(server, video)
        deadline = time.monotonic() + 300
        stored: list[dict[str, Any]] = []
        while time.monotonic() < deadline and len(stored) < 10:
            stored = server.all_events(camera_id, "crossing")
            time.sleep(0.3)
        assert 10 <= len(stored) < sum(c["in"] + c["out"] for c in cli_report.lines.values()), "killed mid-run"
    finally:
        server.kill()
    acknowledged = {(c["line"], c["direction"], c["track_id"]) for c in stored}

    server.start()  # same data, same port: the camera starts again from the beginning of the file
    try:
        server.wait_for_state(camera_id, "finished", timeout=600)
        figures = stored_figures(server, camera_id, expected_figures(cli_report))
        after = {(c["line"], c["direction"], c["track_id"]) for c in server.all_events(camera_id, "crossing")}
    finally:
        server.stop()
        server.client.close()
    assert acknowledged <= after
    assert figures == expected_figures(cli_report)
