"""Pictures the dashboard shows carry no English (issue 10, item 5): the live overlay has names, numbers and signs
only, and the heatmap is drawn over the camera's frame without boxes, track numbers or counts."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from unittest.mock import patch

import cv2
import numpy as np

from shopflow.domain.geometry import CountingLine, Zone
from shopflow.domain.people import Detections
from shopflow.pipeline import annotate
from shopflow.pipeline.engine import CameraEngine
from shopflow.pipeline.live_hub import LiveHub
from shopflow.pipeline.sources import Frame
from shopflow.vision.detector import Image

WIDTH, HEIGHT = 320, 240
GREY = 120
T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
# The names the owner gave: the only letters a picture may carry.
NAMES = ("entrada", "praça")


def one_person(_image: Image) -> Detections:
    return Detections(
        xyxy=np.array([[200, 60, 240, 180]], dtype=np.float32), confidence=np.array([0.9], dtype=np.float32)
    )


def _engine() -> CameraEngine:
    return CameraEngine(
        WIDTH,
        HEIGHT,
        one_person,
        lines=[CountingLine("entrada", (0.1, 0.5), (0.4, 0.5))],
        zones=[Zone("praça", ((0.5, 0.1), (0.9, 0.1), (0.9, 0.9), (0.5, 0.9)))],
    )


def _frames(engine: CameraEngine, hub: LiveHub, count: int) -> None:
    for index in range(count):
        image = np.full((HEIGHT, WIDTH, 3), GREY, dtype=np.uint8)
        frame = Frame(image, index, index / 5, T0 + timedelta(seconds=index / 5))
        hub.on_frame(7, engine.process(frame), engine)


def test_the_live_overlay_carries_no_words() -> None:
    engine = _engine()
    written: list[str] = []
    real_label = annotate._label

    def label(image: Image, text: str, origin: tuple[int, int], colour: tuple[int, int, int]) -> None:
        written.append(text)
        real_label(image, text, origin, colour)

    hub = LiveHub(max_fps=100.0)
    with patch.object(annotate, "_label", label), hub.watch(7):
        _frames(engine, hub, 5)
    assert written, "the overlay was drawn"
    for text in written:
        words = re.findall(r"[A-Za-zÀ-ÿ]+", text)
        assert all(word.lower() in NAMES for word in words), text  # "people", "in", "out", "visits"...


def test_the_heatmap_background_is_the_frame_without_drawings() -> None:
    engine = _engine()
    hub = LiveHub(max_fps=100.0)
    with hub.watch(7):
        _frames(engine, hub, 5)
    annotated = hub.picture(7)
    clean = hub.clean_picture(7)
    assert annotated is not None and clean is not None
    drawn = cv2.imdecode(np.frombuffer(annotated.jpeg, np.uint8), cv2.IMREAD_COLOR)
    plain = cv2.imdecode(np.frombuffer(clean.jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert np.abs(drawn.astype(int) - GREY).max() > 60  # boxes, ids and lines on the live picture
    assert np.abs(plain.astype(int) - GREY).max() <= 4  # none on the heatmap's background (JPEG noise only)
    assert (clean.width, clean.height) == (annotated.width, annotated.height)
    assert clean.at == T0  # kept from the first picture: a clean frame is only made every CLEAN_EVERY_SECONDS
