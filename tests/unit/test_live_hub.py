"""LiveHub: counts on every frame, pictures only while someone looks and at most max_fps a second."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import cv2
import numpy as np

from shopflow.domain.geometry import CountingLine, Zone
from shopflow.domain.people import Detections
from shopflow.pipeline.engine import CameraEngine
from shopflow.pipeline.live_hub import LineTally, LiveHub, RawFrame
from shopflow.pipeline.sources import Frame
from shopflow.vision.detector import Image

WIDTH, HEIGHT = 320, 240
T0 = datetime(2024, 3, 10, 12, 0, tzinfo=UTC)
STEP = 1 / 16  # a 16 fps camera; binary fractions keep the clock exact


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def one_person(_image: Image) -> Detections:
    """A detector that always sees one confident person standing inside the zone."""
    return Detections(
        xyxy=np.array([[200, 60, 240, 180]], dtype=np.float32), confidence=np.array([0.9], dtype=np.float32)
    )


class Feed:
    """One camera (id 7) whose engine sees a person in the shelf zone, fed to a hub frame by frame."""

    def __init__(self) -> None:
        self.clock = Clock()
        self.hub = LiveHub(max_fps=4.0, want_seconds=2.0, clock=self.clock)
        self.engine = CameraEngine(
            WIDTH,
            HEIGHT,
            one_person,
            lines=[CountingLine("door", (0.1, 0.5), (0.4, 0.5))],
            zones=[Zone("shelf", ((0.5, 0.1), (0.9, 0.1), (0.9, 0.9), (0.5, 0.9)))],
        )
        self.index = 0

    def run(self, seconds: float) -> None:
        for _ in range(round(seconds / STEP)):
            image = np.full((HEIGHT, WIDTH, 3), self.index % 255, dtype=np.uint8)
            frame = Frame(image, self.index, self.index * STEP, T0 + timedelta(seconds=self.index * STEP))
            self.hub.on_frame(7, self.engine.process(frame), self.engine)
            self.clock.now += STEP
            self.index += 1


def test_counts_come_with_every_frame_but_pictures_only_when_wanted() -> None:
    feed = Feed()
    hub, run = feed.hub, feed.run
    run(3.0)
    counts = hub.counts(7)
    assert counts is not None
    assert (counts.people, counts.customers, counts.employees) == (1, 1, 0)
    assert counts.zones == {"shelf": 1}
    assert counts.lines == {"door": LineTally(0, 0)}
    assert counts.at == T0 + timedelta(seconds=47 * STEP)
    assert (hub.encoded, hub.picture(7)) == (0, None)  # nobody looked: no JPEG was made


def test_an_open_stream_gets_at_most_max_fps_pictures() -> None:
    feed = Feed()
    hub, run = feed.hub, feed.run
    with hub.watch(7):
        assert hub.watchers(7) == 1
        run(2.0)
    assert hub.watchers(7) == 0
    assert hub.encoded == 8  # 4 a second for 2 s, from a 16 fps camera
    picture = hub.picture(7)
    assert picture is not None and picture.seq == 8
    image = cv2.imdecode(np.frombuffer(picture.jpeg, dtype=np.uint8), cv2.IMREAD_COLOR)
    assert image.shape == (HEIGHT, WIDTH, 3) and (picture.width, picture.height) == (WIDTH, HEIGHT)
    run(2.0)
    assert hub.encoded == 8  # the stream closed: encoding stopped


def test_a_snapshot_request_keeps_pictures_coming_for_a_while() -> None:
    feed = Feed()
    hub, run = feed.hub, feed.run
    hub.want_picture(7)
    run(4.0)
    assert hub.encoded == 8  # only during the 2 s the request is wanted
    assert hub.fresh_picture(7, timeout=0.01) is None  # the last one is too old to pass for live
    hub.want_picture(7)
    run(0.125)
    fresh = hub.fresh_picture(7, timeout=0.01)
    assert fresh is not None and fresh.seq == 9


def test_forgetting_a_camera_frees_what_it_held() -> None:
    feed = Feed()
    hub, run = feed.hub, feed.run
    with hub.watch(7):
        run(0.5)
    assert hub.camera_ids() == [7]
    hub.forget(7)
    assert (hub.camera_ids(), hub.counts(7), hub.picture(7)) == ([], None, None)


def test_a_raw_frame_is_copied_only_for_a_reader_waiting_for_one_and_then_dropped() -> None:
    feed = Feed()
    hub, run = feed.hub, feed.run
    run(0.5)
    assert hub._raw == {}  # nobody asked: no frame was copied
    assert hub.raw_frame(7, timeout=0.01) is None  # no frame came while it waited
    got: list[RawFrame | None] = []
    reader = threading.Thread(target=lambda: got.append(hub.raw_frame(7, timeout=5.0)))
    reader.start()
    while not hub._raw_waiters:  # the reader is waiting
        threading.Event().wait(0.001)
    run(STEP)
    reader.join()
    [frame] = got
    assert frame is not None and frame.camera_id == 7
    # The frame exactly as the camera sent it: the value the feed filled it with, no boxes or lines drawn on it.
    assert frame.image.shape == (HEIGHT, WIDTH, 3) and (frame.image == feed.index - 1).all()
    assert frame.at == T0 + timedelta(seconds=(feed.index - 1) * STEP)
    assert (hub._raw, hub._raw_waiters, hub.encoded) == ({}, {}, 0)  # dropped once read; nothing was encoded
