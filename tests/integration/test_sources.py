"""Frame sources against real files, a real MJPEG HTTP server and closed ports: frames, timing, errors, reconnects."""

from __future__ import annotations

import http.server
import itertools
import logging
import math
import socket
import socketserver
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, timedelta
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt
import pytest

from shopflow.domain.urls import redact_url
from shopflow.pipeline.sources import (
    Backoff,
    Frame,
    FrameSampler,
    LiveClock,
    SourceError,
    SourceKind,
    open_source,
    parse_source_spec,
)

pytestmark = pytest.mark.timeout(60)

Image = npt.NDArray[np.uint8]
WIDTH, HEIGHT = 160, 120
FILE_FRAMES, FILE_FPS = 64, 10.0


def moving_box(i: int) -> Image:
    """Frame i of the test clip: a green box moving right by one pixel per frame on black."""
    image = np.zeros((HEIGHT, WIDTH, 3), np.uint8)
    cv2.rectangle(image, (5 + i, 40), (25 + i, 80), (0, 255, 0), -1)
    return image


def write_video(path: Path, fourcc: str, frames: int = FILE_FRAMES, fps: float = FILE_FPS) -> Path:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*fourcc), fps, (WIDTH, HEIGHT))
    assert writer.isOpened(), f"OpenCV cannot write {path.suffix} with {fourcc}"
    for i in range(frames):
        writer.write(moving_box(i))
    writer.release()
    return path


@pytest.fixture(scope="module")
def video_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("videos")


@pytest.fixture(scope="module")
def mp4(video_dir: Path) -> Path:
    return write_video(video_dir / "clip.mp4", "mp4v")


def read_all(spec: str, *, sample_fps: float | None = None) -> list[Frame]:
    with open_source(spec, sample_fps=sample_fps) as source:
        return list(source)


# --- video files ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("suffix", "fourcc"), [(".mp4", "mp4v"), (".avi", "MJPG"), (".mkv", "MJPG")])
def test_video_file_gives_every_frame_with_video_time(video_dir: Path, suffix: str, fourcc: str) -> None:
    path = write_video(video_dir / f"formats{suffix}", fourcc)

    with open_source(str(path)) as source:
        assert source.frame_size == (WIDTH, HEIGHT)
        assert source.native_fps == pytest.approx(FILE_FPS)
        assert source.frame_count == FILE_FRAMES
        assert not source.is_live
        assert source.url_for_logs == str(path)
        frames = list(source)

    assert [f.index for f in frames] == list(range(FILE_FRAMES))
    assert [f.timestamp for f in frames] == pytest.approx([i / FILE_FPS for i in range(FILE_FRAMES)], abs=1e-5)
    for frame in frames[::9]:
        assert frame.image.dtype == np.uint8
        assert frame.image.shape == (HEIGHT, WIDTH, 3)
        blue, green, red = frame.image[60, 15 + frame.index].astype(int)
        assert green > 200 and blue < 60 and red < 60, "images are BGR and show the box where it was drawn"
        assert frame.captured_at.tzinfo is UTC
        # Wall time of a file frame is the analysis start plus its video time: the two clocks never drift apart.
        assert frame.captured_at - frames[0].captured_at == timedelta(seconds=frame.timestamp)


@pytest.mark.parametrize(
    ("sample_fps", "expected_indexes"),
    [
        (None, list(range(FILE_FRAMES))),
        (20.0, list(range(FILE_FRAMES))),  # asking for more than the file has keeps every frame, no duplicates
        (10.0, list(range(FILE_FRAMES))),
        (5.0, list(range(0, FILE_FRAMES, 2))),
        (2.5, list(range(0, FILE_FRAMES, 4))),
        (3.0, [0, 4, 7, 10, 14, 17, 20, 24, 27, 30, 34, 37, 40, 44, 47, 50, 54, 57, 60]),
    ],
)
def test_file_sampling_keeps_frames_at_the_requested_rate(
    mp4: Path, sample_fps: float | None, expected_indexes: list[int]
) -> None:
    frames = read_all(str(mp4), sample_fps=sample_fps)

    assert [f.index for f in frames] == expected_indexes
    assert [f.timestamp for f in frames] == pytest.approx([i / FILE_FPS for i in expected_indexes], abs=1e-5)
    for frame in frames:
        _, green, _ = frame.image[60, 15 + frame.index].astype(int)
        assert green > 200, "a kept frame must be its own image, not a neighbour's"


@pytest.mark.parametrize("rotation", [90, 180, 270])
def test_a_turned_file_source_hands_out_upright_pictures_and_their_size(mp4: Path, rotation: int) -> None:
    as_sent = read_all(str(mp4))
    with open_source(str(mp4), rotation=rotation) as source:
        sideways = rotation in (90, 270)
        assert source.frame_size == ((HEIGHT, WIDTH) if sideways else (WIDTH, HEIGHT))
        turned = list(source)
    assert len(turned) == len(as_sent)
    turns = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}
    for mine, theirs in zip(turned, as_sent, strict=True):
        assert (mine.index, mine.timestamp) == (theirs.index, theirs.timestamp)
        assert np.array_equal(mine.image, cv2.rotate(theirs.image, turns[rotation]))


def test_a_source_refuses_a_turn_that_is_not_a_quarter(mp4: Path) -> None:
    with pytest.raises(ValueError, match="rotation must be 0, 90, 180 or 270"):
        open_source(str(mp4), rotation=45)


def test_missing_video_file_names_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-recording.mp4"
    with pytest.raises(SourceError) as error:
        open_source(str(missing))
    assert str(error.value) == f"video file not found: {missing}"


def test_folder_is_not_a_video(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="is a folder, not a video file"):
        open_source(str(tmp_path))


def _random_bytes(path: Path, _: Path) -> None:
    path.write_bytes(np.random.default_rng(0).integers(0, 256, 20_000, dtype=np.uint8).tobytes())


def _empty(path: Path, _: Path) -> None:
    path.write_bytes(b"")


def _text(path: Path, _: Path) -> None:
    path.write_text("this is the shop's opening hours, not a video\n")


def _truncated_copy(path: Path, real: Path) -> None:
    data = real.read_bytes()
    path.write_bytes(data[: len(data) // 2])


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("noise.mp4", _random_bytes),
        ("empty.mp4", _empty),
        ("notes.avi", _text),
        ("cut-short.mp4", _truncated_copy),
    ],
)
def test_unreadable_file_says_it_is_not_a_readable_video(
    tmp_path: Path, mp4: Path, name: str, make: Callable[[Path, Path], None]
) -> None:
    path = tmp_path / name
    make(path, mp4)
    with pytest.raises(SourceError, match="is not a readable video") as error:
        open_source(str(path))
    assert str(path) in str(error.value)


def test_closing_a_file_source_ends_iteration(mp4: Path) -> None:
    with open_source(str(mp4)) as source:
        frames = iter(source)
        first = [next(frames) for _ in range(5)]
        source.close()
        assert source.closed
        assert list(frames) == []
    assert [f.index for f in first] == [0, 1, 2, 3, 4]


# --- spec parsing and redaction ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("rtsp://admin:secret@10.0.0.5/stream", "rtsp://***@10.0.0.5/stream"),
        ("rtsp://admin:secret@10.0.0.5:554/Streaming/Channels/101", "rtsp://***@10.0.0.5:554/Streaming/Channels/101"),
        ("rtsp://admin@10.0.0.5/stream", "rtsp://***@10.0.0.5/stream"),
        ("rtsp://10.0.0.5/stream", "rtsp://10.0.0.5/stream"),
        ("rtsp://admin:p@ss/secret@10.0.0.5/live", "rtsp://***@10.0.0.5/live"),
        ("rtsps://u:secret@[fe80::1]:322/s", "rtsps://***@[fe80::1]:322/s"),
        ("HTTP://Admin:secret@cam:8080/", "HTTP://***@cam:8080/"),
        (
            "http://cam.local/video.mjpg?user=admin&password=secret",
            "http://cam.local/video.mjpg?user=admin&password=***",
        ),
        ("https://cam/mjpg?token=secret&fps=5", "https://cam/mjpg?token=***&fps=5"),
        ("http://cam/x?PWD=secret;key=secret2&pass=secret3", "http://cam/x?PWD=***;key=***&pass=***"),
        ("http://u:secret@cam/x?pwd=secret", "http://***@cam/x?pwd=***"),
        ("rtsp://user:secret@host:notaport", "rtsp://***@host:notaport"),
        ("/videos/shop-2024-05-01.mp4", "/videos/shop-2024-05-01.mp4"),
    ],
)
def test_redact_url_hides_credentials(url: str, expected: str) -> None:
    redacted = redact_url(url)
    assert redacted == expected
    assert "secret" not in redacted


@pytest.mark.parametrize(
    ("spec", "kind", "for_logs"),
    [
        ("0", SourceKind.WEBCAM, "webcam:0"),
        (" 2 ", SourceKind.WEBCAM, "webcam:2"),
        ("webcam:1", SourceKind.WEBCAM, "webcam:1"),
        ("WEBCAM:3", SourceKind.WEBCAM, "webcam:3"),
        ("rtsp://admin:secret@10.0.0.5/stream", SourceKind.RTSP, "rtsp://***@10.0.0.5/stream"),
        ("rtsps://10.0.0.5:322/stream", SourceKind.RTSP, "rtsps://10.0.0.5:322/stream"),
        ("http://10.0.0.6/video.mjpg", SourceKind.MJPEG, "http://10.0.0.6/video.mjpg"),
        ("https://cam.shop.example/mjpg?token=secret", SourceKind.MJPEG, "https://cam.shop.example/mjpg?token=***"),
        ("recordings/shop.mkv", SourceKind.FILE, "recordings/shop.mkv"),
    ],
)
def test_spec_names_the_kind_of_source(spec: str, kind: SourceKind, for_logs: str) -> None:
    parsed = parse_source_spec(spec)
    assert parsed.kind is kind
    assert parsed.for_logs == for_logs


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("", "no video source given"),
        ("   ", "no video source given"),
        ("webcam:front", "webcam index must be a whole number"),
        ("webcam:-1", "webcam index must be a whole number"),
        ("ftp://u:secret@nas/shop.mp4", r"unsupported source ftp://\*\*\*@nas/shop.mp4"),
        ("rtsp://", "has no valid host"),
        ("rtsp://u:secret@/stream", "has no valid host"),
        ("admin:secret@10.0.0.5/stream", "camera address without its scheme"),
    ],
)
def test_bad_spec_says_what_to_fix_without_credentials(spec: str, message: str) -> None:
    with pytest.raises(SourceError, match=message) as error:
        open_source(spec)
    assert "secret" not in str(error.value)


# --- timing helpers ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sample_fps", "timestamps", "kept"),
    [
        (None, [0.0, 0.1, 0.2], [0.0, 0.1, 0.2]),
        # float sums such as 0.30000000000000004 must not shift which frames are kept
        (5.0, [i * 0.1 for i in range(9)], [i * 0.1 for i in range(0, 9, 2)]),
        # after a gap (reconnect) the sampler resynchronises instead of bursting to catch up
        (5.0, [0.0, 0.2, 0.4, 10.0, 10.1, 10.2, 10.3, 10.4], [0.0, 0.2, 0.4, 10.0, 10.2, 10.4]),
    ],
)
def test_sampler_keeps_frames_when_they_are_due(
    sample_fps: float | None, timestamps: list[float], kept: list[float]
) -> None:
    sampler = FrameSampler(sample_fps)
    assert [t for t in timestamps if sampler.keep(t)] == pytest.approx(kept)


def test_sampler_holds_the_average_rate_on_a_jittery_stream() -> None:
    rng = np.random.default_rng(5)
    timestamps = np.arange(0.0, 60.0, 1 / 25) + rng.uniform(-0.008, 0.008, 1500)
    sampler = FrameSampler(10.0)
    kept = [t for t in np.maximum.accumulate(timestamps) if sampler.keep(float(t))]
    assert len(kept) == pytest.approx(600, abs=2)


@pytest.mark.parametrize("sample_fps", [0.0, -5.0, math.nan, math.inf])
def test_sampler_refuses_nonsense_rates(sample_fps: float) -> None:
    with pytest.raises(ValueError, match="sample_fps"):
        FrameSampler(sample_fps)


@pytest.mark.parametrize(
    ("backoff", "delays"),
    [
        (Backoff(jitter_fraction=0.0), [1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0, 30.0]),
        (Backoff(first_seconds=0.1, max_seconds=0.4, jitter_fraction=0.0), [0.1, 0.2, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4]),
    ],
)
def test_backoff_doubles_up_to_its_cap(backoff: Backoff, delays: list[float]) -> None:
    assert [backoff.delay(attempt) for attempt in range(len(delays))] == pytest.approx(delays)
    assert backoff.delay(10_000) == pytest.approx(delays[-1]), "a camera away for days must not overflow the wait"


def test_backoff_jitter_only_shortens_waits_a_little() -> None:
    backoff = Backoff()
    for attempt, base in enumerate([1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]):
        waits = [backoff.delay(attempt) for _ in range(50)]
        assert all(0.9 * base <= wait <= base for wait in waits)
        assert len(set(waits)) > 1


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_live_clock_follows_believable_stream_timestamps_not_network_jitter() -> None:
    now = FakeMonotonic()
    clock = LiveClock(use_stream_clock=True, label="cam", now=now)
    clock.start_connection()
    stamps = []
    for i, arrival_delay in enumerate([0.5, 0.62, 0.66, 0.75, 0.9]):
        now.now = 100.0 + arrival_delay
        stamps.append(clock.timestamp(5_000.0 + 40.0 * i))  # a 25 fps camera whose clock started long ago
    assert clock.using_stream_clock
    assert stamps == pytest.approx([0.5, 0.54, 0.58, 0.62, 0.66])


def test_live_clock_falls_back_to_arrival_time_on_a_clock_running_at_the_wrong_speed() -> None:
    now = FakeMonotonic()
    clock = LiveClock(use_stream_clock=True, label="cam", now=now)
    clock.start_connection()
    stamps = []
    for i in range(200):  # 10 frames per second arrive, but the stream claims 25 fps (MJPEG-style frame counting)
        now.now = 100.0 + i * 0.1
        stamps.append(clock.timestamp(40.0 * i))
    assert not clock.using_stream_clock
    assert stamps[-1] == pytest.approx(19.9)
    assert all(b > a for a, b in itertools.pairwise(stamps))


@pytest.mark.parametrize("bad_position", [math.nan, -1.0, 0.0, 60_000.0])
def test_live_clock_falls_back_when_stream_timestamps_are_broken(bad_position: float) -> None:
    now = FakeMonotonic()
    clock = LiveClock(use_stream_clock=True, label="cam", now=now)
    clock.start_connection()
    now.now = 101.0
    assert clock.timestamp(1_000.0) == pytest.approx(1.0)
    now.now = 101.1
    assert clock.timestamp(bad_position) == pytest.approx(1.1)  # backwards, missing, or a 59 s jump
    assert not clock.using_stream_clock


def test_live_clock_stays_monotonic_across_a_reconnect_that_resets_the_stream_clock() -> None:
    now = FakeMonotonic()
    clock = LiveClock(use_stream_clock=True, label="cam", now=now)
    clock.start_connection()
    before = []
    for i in range(10):
        now.now = 100.0 + 0.1 * i
        before.append(clock.timestamp(8_000.0 + 100.0 * i))
    now.now = 103.0  # offline for two seconds; the camera's clock restarts at zero
    clock.start_connection()
    after = [clock.timestamp(0.0)]
    now.now = 103.1
    after.append(clock.timestamp(100.0))
    assert after[0] == pytest.approx(3.0), "the offline time shows as a gap"
    assert after[1] == pytest.approx(3.1)
    assert clock.using_stream_clock


def test_live_clock_without_stream_clock_uses_arrival_time() -> None:
    now = FakeMonotonic()
    clock = LiveClock(use_stream_clock=False, label="cam", now=now)
    clock.start_connection()
    now.now = 100.25
    assert clock.timestamp(123_456.0) == pytest.approx(0.25)
    now.now = 100.25  # two frames in the same clock tick still get increasing timestamps
    assert clock.timestamp(123_496.0) > 0.25


# --- webcams and unreachable cameras ----------------------------------------------------------------------------------


@pytest.mark.parametrize("spec", ["99", "webcam:99"])
def test_missing_webcam_fails_fast_with_a_clear_message(spec: str) -> None:
    started = time.monotonic()
    with pytest.raises(SourceError, match=r"cannot open webcam:99: no camera answers at index 99"):
        open_source(spec)
    assert time.monotonic() - started < 5.0


def closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("scheme", ["rtsp", "http"])
def test_unreachable_camera_fails_promptly_without_leaking_the_password(scheme: str) -> None:
    port = closed_port()
    statuses: list[tuple[str, str]] = []
    started = time.monotonic()
    with pytest.raises(SourceError) as error:
        open_source(
            f"{scheme}://admin:secret@127.0.0.1:{port}/stream",
            open_timeout_seconds=5.0,
            on_status=lambda state, reason: statuses.append((state, reason)),
        )
    assert time.monotonic() - started < 10.0
    message = str(error.value)
    assert message.startswith(f"cannot connect to camera {scheme}://***@127.0.0.1:{port}/stream: ")
    # The same words for a refused, a filtered and a silent port: the test must not map the network.
    assert f"no video from 127.0.0.1:{port}; check the address, the port" in message
    assert "secret" not in message
    assert [state for state, _ in statuses] == ["connecting", "offline"]
    assert all("secret" not in reason for _, reason in statuses)


def test_close_from_another_thread_interrupts_the_reconnect_wait() -> None:
    statuses: list[tuple[str, str]] = []
    source = open_source(
        f"rtsp://127.0.0.1:{closed_port()}/live",
        reconnect=True,
        on_status=lambda state, reason: statuses.append((state, reason)),
        backoff=Backoff(first_seconds=30.0, max_seconds=30.0, jitter_fraction=0.0),
    )
    assert source.is_live
    assert source.frame_size == (0, 0)
    received: list[Frame] = []
    reader = threading.Thread(target=lambda: received.extend(source), daemon=True)
    reader.start()
    time.sleep(0.3)

    started = time.monotonic()
    source.close()
    reader.join(timeout=5.0)

    assert not reader.is_alive()
    assert time.monotonic() - started < 1.0
    assert received == []
    assert [state for state, _ in statuses] == ["connecting", "offline"]


# --- a real MJPEG HTTP camera -----------------------------------------------------------------------------------------


class _Server(socketserver.ThreadingTCPServer):
    # TCPServer rather than HTTPServer: no reverse-DNS lookup of the address at bind time.
    allow_reuse_address = True
    daemon_threads = True


class MjpegCamera:
    """A tiny MJPEG-over-HTTP camera serving `multipart/x-mixed-replace` JPEGs at about 10 fps."""

    def __init__(self, fps: float = 10.0) -> None:
        self.fps = fps
        self.port = 0
        self.jpegs = [cv2.imencode(".jpg", moving_box(i))[1].tobytes() for i in range(30)]
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self, port: int = 0) -> None:
        camera = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "multipart/x-mixed-replace; boundary=frame")
                self.end_headers()
                i = 0
                try:
                    while not camera._stopping.is_set():
                        jpeg = camera.jpegs[i % len(camera.jpegs)]
                        header = f"--frame\r\nContent-Type: image/jpeg\r\nContent-Length: {len(jpeg)}\r\n\r\n"
                        self.wfile.write(header.encode() + jpeg + b"\r\n")
                        self.wfile.flush()
                        i += 1
                        camera._stopping.wait(1.0 / camera.fps)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self._stopping.clear()
        self._server = _Server(("127.0.0.1", port), Handler)
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5.0)
            self._thread = None

    def url(self, credentials: str = "") -> str:
        return f"http://{credentials}127.0.0.1:{self.port}/stream.mjpg"


@pytest.fixture
def camera() -> Iterator[MjpegCamera]:
    camera = MjpegCamera()
    camera.start()
    yield camera
    camera.stop()


def take(frames: Iterator[Frame], count: int, within_seconds: float) -> list[Frame]:
    """Up to `count` frames, but never keep waiting past the time limit (frames arrive at about 10 fps)."""
    deadline = time.monotonic() + within_seconds
    taken: list[Frame] = []
    for frame in frames:
        taken.append(frame)
        if len(taken) >= count or time.monotonic() > deadline:
            break
    return taken


def test_mjpeg_camera_gives_frames_with_increasing_stream_time(camera: MjpegCamera) -> None:
    with open_source(camera.url(), open_timeout_seconds=3.0, read_timeout_seconds=3.0) as source:
        assert source.is_live
        assert source.frame_count is None
        assert source.native_fps is None, "MJPEG carries no frame rate; FFmpeg's 25 fps guess must not leak out"
        assert source.frame_size == (WIDTH, HEIGHT)
        frames = take(iter(source), 15, within_seconds=10.0)

    assert len(frames) == 15
    assert [f.index for f in frames] == list(range(15))
    stamps = [f.timestamp for f in frames]
    assert all(b > a for a, b in itertools.pairwise(stamps))
    # Arrival time of frames sent at 10 fps, not FFmpeg's invented 25 fps clock (which would span 0.56 s).
    assert 1.0 < stamps[-1] - stamps[0] < 2.5
    assert all(f.captured_at.tzinfo is UTC for f in frames)
    assert frames[0].image.shape == (HEIGHT, WIDTH, 3)


def test_a_turned_camera_sends_upright_pictures_from_its_first_frame(camera: MjpegCamera) -> None:
    with open_source(camera.url(), rotation=90, open_timeout_seconds=3.0, read_timeout_seconds=3.0) as source:
        frames = take(iter(source), 3, within_seconds=10.0)
        assert source.frame_size == (HEIGHT, WIDTH)
    assert len(frames) == 3
    for frame in frames:
        assert frame.image.shape == (WIDTH, HEIGHT, 3)
        # The green box (left of the picture as sent, tall and narrow) is near the top once turned clockwise.
        rows, cols = np.nonzero(frame.image[:, :, 1] > 128)
        assert rows.max() < WIDTH / 2 and cols.max() - cols.min() > rows.max() - rows.min()


def test_mjpeg_sampling_keeps_about_the_requested_rate(camera: MjpegCamera) -> None:
    with open_source(camera.url(), sample_fps=5.0, read_timeout_seconds=3.0) as source:
        frames = take(iter(source), 8, within_seconds=10.0)

    assert len(frames) == 8
    gaps = np.diff([f.index for f in frames])
    assert gaps.min() >= 1
    assert 1.5 <= gaps.mean() <= 2.5, "5 of 10 fps keeps about every other frame"


def test_mjpeg_camera_that_stops_without_reconnect_raises(camera: MjpegCamera) -> None:
    with open_source(camera.url(), read_timeout_seconds=3.0) as source:
        frames = iter(source)
        assert len(take(frames, 3, within_seconds=10.0)) == 3
        camera.stop()
        started = time.monotonic()
        with pytest.raises(SourceError, match="stopped sending video"):
            take(frames, 1_000, within_seconds=15.0)
        assert time.monotonic() - started < 10.0


def test_mjpeg_camera_restart_goes_offline_then_online_and_frames_continue(
    camera: MjpegCamera, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="shopflow")
    statuses: list[tuple[str, str]] = []
    restart_errors: list[BaseException] = []
    port = camera.port

    def restart() -> None:
        try:
            camera.start(port=port)
        except BaseException as exc:  # surfaced by the assertion below, not lost in the timer thread
            restart_errors.append(exc)

    source = open_source(
        camera.url("viewer:secret@"),
        reconnect=True,
        open_timeout_seconds=2.0,
        read_timeout_seconds=2.0,
        on_status=lambda state, reason: statuses.append((state, reason)),
        backoff=Backoff(first_seconds=0.1, max_seconds=0.4, jitter_fraction=0.0),
    )
    # A watchdog: if reconnecting never succeeds, close() ends the loop below instead of the test hanging.
    watchdog = threading.Timer(30.0, source.close)
    watchdog.start()
    timer: threading.Timer | None = None
    frames: list[tuple[Frame, int]] = []  # each frame with how many times the source had come online by then
    try:
        for frame in source:
            online_count = sum(state == "online" for state, _ in statuses)
            frames.append((frame, online_count))
            if timer is None and len(frames) == 5:
                camera.stop()
                timer = threading.Timer(1.0, restart)
                timer.start()
            if sum(count >= 2 for _, count in frames) >= 5:
                break
    finally:
        watchdog.cancel()
        if timer is not None:
            timer.join(timeout=5.0)
        source.close()

    assert restart_errors == []
    states = [state for state, _ in statuses]
    assert states[:2] == ["connecting", "online"]
    first_offline = states.index("offline")
    assert states[-1] == "online"
    assert set(states[first_offline:-1]) <= {"offline", "connecting"}
    assert sum(count >= 2 for _, count in frames) >= 5, "frames must keep coming after the reconnect"

    stamps = [frame.timestamp for frame, _ in frames]
    indexes = [frame.index for frame, _ in frames]
    assert all(b > a for a, b in itertools.pairwise(stamps))
    assert all(b > a for a, b in itertools.pairwise(indexes))
    assert max(np.diff(stamps)) >= 0.8, "the time the camera was away shows as a gap in stream time"

    assert source.url_for_logs == f"http://***@127.0.0.1:{port}/stream.mjpg"
    assert all("secret" not in reason for _, reason in statuses)
    assert all("secret" not in record.getMessage() for record in caplog.records)
    assert any(source.url_for_logs in record.getMessage() for record in caplog.records)
