"""Bad input to `shopflow analyze` gets one clear line and a non-zero exit, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from shopflow.services.demo import sample_video

SAMPLE = sample_video()
SHOPFLOW = [sys.executable, "-m", "shopflow.cli"]


def run_cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run([*SHOPFLOW, *args], capture_output=True, text=True, timeout=timeout, env=env, check=False)


@pytest.fixture(scope="module")
def corrupt_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bad") / "corrupt.mp4"
    path.write_bytes(os.urandom(64 * 1024))
    return path


@pytest.fixture(scope="module")
def truncated_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bad") / "truncated.avi"
    path.write_bytes(SAMPLE.read_bytes()[:2000])
    return path


CASES = [
    ("missing file", ["/nonexistent/clip.mp4"], "not found"),
    ("unreachable rtsp camera", ["rtsp://admin:secret@127.0.0.1:9/stream"], "cannot connect"),
    ("unreachable http camera", ["http://127.0.0.1:9/video.mjpg"], "cannot connect"),
    ("line with two equal points", [str(SAMPLE), "--line", "door:0.5,0.5,0.5,0.5"], "two points are equal"),
    ("line outside the frame", [str(SAMPLE), "--line", "door:0.1,0.5,1.2,0.5"], "outside 0..1"),
    ("line with three numbers", [str(SAMPLE), "--line", "door:0.1,0.5,0.9"], "exactly 4 numbers"),
    ("line without a name", [str(SAMPLE), "--line", "0.1,0.5,0.9,0.5"], "NAME:x1,y1,x2,y2"),
    ("line with text for a number", [str(SAMPLE), "--line", "door:a,0.5,0.9,0.5"], "must be numbers"),
    ("self-intersecting zone", [str(SAMPLE), "--zone", "z:0.1,0.1;0.9,0.9;0.9,0.1;0.1,0.9"], "self-intersecting"),
    ("zone outside the frame", [str(SAMPLE), "--zone", "z:0.1,0.1;0.9,-0.1;0.9,0.9"], "outside 0..1"),
    ("zone with two points", [str(SAMPLE), "--zone", "z:0.1,0.1;0.9,0.9"], "at least 3 points"),
    ("two lines with one name", [str(SAMPLE), "--line", "a:0.1,0.5,0.9,0.5", "--line", "a:0.5,0.1,0.5,0.9"], "named"),
    ("absurd input size", [str(SAMPLE), "--imgsz", "100"], "--imgsz"),
    ("negative fps", [str(SAMPLE), "--fps", "-2"], "--fps"),
    ("a turn that is not a quarter", [str(SAMPLE), "--rotate", "45"], "--rotate must be 0, 90, 180 or 270"),
]


@pytest.mark.parametrize(("name", "args", "message"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_gets_one_clear_line(name: str, args: list[str], message: str) -> None:
    result = run_cli("analyze", *args)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error:")
    assert message in lines[0]
    assert "secret" not in result.stderr


@pytest.mark.parametrize("fixture", ["corrupt_video", "truncated_video"])
def test_corrupt_video_gets_one_clear_line(fixture: str, request: pytest.FixtureRequest) -> None:
    path: Path = request.getfixturevalue(fixture)
    result = run_cli("analyze", str(path))
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "readable video" in lines[0], result.stderr


def test_bad_setting_names_the_variable() -> None:
    env = {**os.environ, "YOLO_CONFIDENCE": "1.5", "COLUMNS": "200"}
    result = subprocess.run(
        [*SHOPFLOW, "analyze", str(SAMPLE)], capture_output=True, text=True, timeout=60, env=env, check=False
    )
    assert result.returncode == 2
    assert "YOLO_CONFIDENCE" in result.stderr and "Traceback" not in result.stderr
