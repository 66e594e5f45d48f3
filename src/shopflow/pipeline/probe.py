"""Opens a camera source once to tell the user whether it works: the verdict behind "test connection".

Each test runs in a child process of its own, with a deadline. Inside one process OpenCV's FFmpeg backend opens
one stream at a time (a process-wide lock), so a camera that never answers would hold up every other test and
every camera's reconnection; and a thread stuck inside FFmpeg cannot be stopped, while a child process can be
killed. At most MAX_PARALLEL_PROBES children run at once; a test that finds them all busy says so at once
rather than queueing, so a flood of tests holds at most that many of the server's worker threads.
"""

from __future__ import annotations

import base64
import json
import logging
import subprocess
import sys
import threading
from dataclasses import dataclass, field, replace
from typing import Any

import cv2
import numpy as np

from shopflow.pipeline.sources import SourceError, SourceKind, SourceSpec, open_source, parse_source_spec
from shopflow.pipeline.sources.spec import url_host_port
from shopflow.vision.orientation import upright

log = logging.getLogger(__name__)

PREVIEW_MAX_WIDTH = 640
_JPEG_QUALITY = [int(cv2.IMWRITE_JPEG_QUALITY), 80]
MAX_PARALLEL_PROBES = 4
# The child's own start (Python, numpy, OpenCV) takes a fraction of a second, more on a busy machine.
_START_SECONDS = 5.0
_slots = threading.BoundedSemaphore(MAX_PARALLEL_PROBES)


@dataclass(frozen=True, slots=True)
class ProbeResult:
    ok: bool
    message: str  # plain words, never credentials
    width: int | None = None
    height: int | None = None
    jpeg: bytes | None = None
    # What happened as a code and its details, for the dashboard to say in the reader's language.
    code: str = ""
    params: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def failed(cls, error: Exception) -> ProbeResult:
        return cls(False, str(error), code=getattr(error, "code", ""), params=dict(getattr(error, "params", {})))

    @property
    def jpeg_base64(self) -> str | None:
        return None if self.jpeg is None else base64.b64encode(self.jpeg).decode("ascii")


def probe_source(source: str, *, timeout_seconds: float = 5.0) -> ProbeResult:
    """Open `source` without reconnecting and read one frame, in a child process. Blocks for up to about
    2 x timeout_seconds + 5 s whatever the source does: run it in a worker thread."""
    try:
        spec = parse_source_spec(source)
    except SourceError as error:
        return ProbeResult.failed(error)
    if not _slots.acquire(blocking=False):
        return ProbeResult(
            False,
            f"{MAX_PARALLEL_PROBES} connection tests are already running; try again in a few seconds",
            code="probe_busy",
            params={"max": MAX_PARALLEL_PROBES},
        )
    try:
        return _probe_in_child(source, spec, timeout_seconds)
    finally:
        _slots.release()


def _probe_in_child(source: str, spec: SourceSpec, timeout_seconds: float) -> ProbeResult:
    deadline = 2 * timeout_seconds + _START_SECONDS
    request = json.dumps({"source": source, "timeout_seconds": timeout_seconds}).encode()
    try:
        # The source goes in on stdin, never on the command line, where every user of the machine could read it.
        # -P: nothing is imported from the working directory.
        done = subprocess.run(
            [sys.executable, "-P", "-m", __name__], input=request, capture_output=True, timeout=deadline, check=False
        )
    except subprocess.TimeoutExpired:  # run() has killed the child
        log.info("testing %s: no verdict within %g s; the test was stopped", spec.for_logs, deadline)
        return _gave_up(spec, deadline)
    try:
        answer = json.loads(done.stdout.decode("utf-8").strip().splitlines()[-1])
        jpeg = base64.b64decode(answer["jpeg"]) if answer.get("jpeg") else None
        return ProbeResult(
            bool(answer["ok"]),
            str(answer["message"]),
            answer.get("width"),
            answer.get("height"),
            jpeg,
            str(answer.get("code") or ""),
            dict(answer.get("params") or {}),
        )
    except (ValueError, IndexError, KeyError, TypeError):
        # Its stderr is not logged: it may quote the source, credentials included.
        log.warning("testing %s: the test process ended (code %s) without a verdict", spec.for_logs, done.returncode)
        return ProbeResult(
            False, f"could not test {spec.for_logs}; the details are in the server log", code="probe_no_verdict"
        )


def _gave_up(spec: SourceSpec, deadline: float) -> ProbeResult:
    seconds = {"seconds": round(deadline)}
    if spec.kind is SourceKind.FILE:
        message = f"could not read {spec.for_logs} within {deadline:g} s; check that it is a video file"
        return ProbeResult(False, message, code="probe_file_slow", params=seconds)
    if spec.kind is SourceKind.WEBCAM:
        message = f"{spec.for_logs} gave no picture within {deadline:g} s; check that it is plugged in and not in use"
        return ProbeResult(False, message, code="probe_webcam_silent", params=seconds)
    host, port = url_host_port(spec.target) or ("?", 0)
    message = f"could not reach the camera at {host}:{port}; check the address, the port and that the camera is on"
    return ProbeResult(False, message, code="probe_unreachable", params={"address": f"{host}:{port}"})


def probe_here(source: str, *, timeout_seconds: float = 5.0) -> ProbeResult:
    """The test itself, in this process (the child's work). Blocks for up to about 2 x timeout_seconds plus a
    short reachability check on failure, or without end on a source FFmpeg never finishes opening."""
    try:
        shown = parse_source_spec(source).for_logs
    except SourceError as error:
        return ProbeResult.failed(error)
    try:
        with open_source(
            source,
            reconnect=False,
            open_timeout_seconds=timeout_seconds,
            read_timeout_seconds=timeout_seconds,
        ) as opened:
            frame = next(iter(opened), None)
    except (SourceError, ValueError) as error:
        return ProbeResult.failed(error)
    except Exception as error:  # OpenCV's own failures: still a verdict about the camera, not a server error
        log.warning("testing %s failed unexpectedly: %s", shown, type(error).__name__)
        return ProbeResult(False, f"could not read from {shown} ({type(error).__name__})", code="probe_unreadable")
    if frame is None:
        return ProbeResult(False, f"{shown} opened but sent no picture", code="probe_no_picture")
    height, width = frame.image.shape[:2]
    preview = frame.image
    if width > PREVIEW_MAX_WIDTH:
        size = (PREVIEW_MAX_WIDTH, max(1, round(height * PREVIEW_MAX_WIDTH / width)))
        preview = np.asarray(cv2.resize(preview, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)
    ok, buffer = cv2.imencode(".jpg", preview, _JPEG_QUALITY)
    jpeg = buffer.tobytes() if ok else None
    return ProbeResult(
        True,
        f"connected to {shown}: {width}x{height} pictures",
        int(width),
        int(height),
        jpeg,
        code="probe_ok",
        params={"size": f"{width}x{height}"},
    )


def turned(result: ProbeResult, rotation: int) -> ProbeResult:
    """The verdict with its picture turned `rotation` degrees clockwise, as the camera's worker will see it (its
    pictures are turned as they are decoded): the picture lines and zones are drawn on."""
    if rotation == 0 or result.jpeg is None:
        return result
    image = cv2.imdecode(np.frombuffer(result.jpeg, dtype=np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        return result
    ok, buffer = cv2.imencode(".jpg", upright(np.asarray(image, dtype=np.uint8), rotation), _JPEG_QUALITY)
    if not ok:
        return result
    width, height = (result.height, result.width) if rotation in (90, 270) else (result.width, result.height)
    return replace(result, width=width, height=height, jpeg=buffer.tobytes())


def _child_main() -> None:
    """Reads {"source", "timeout_seconds"} on stdin, writes the verdict as one JSON line on stdout."""
    request: dict[str, Any] = json.loads(sys.stdin.read())
    result = probe_here(str(request["source"]), timeout_seconds=float(request["timeout_seconds"]))
    answer = {
        "ok": result.ok,
        "message": result.message,
        "width": result.width,
        "height": result.height,
        "jpeg": result.jpeg_base64,
        "code": result.code,
        "params": result.params,
    }
    sys.stdout.write("\n" + json.dumps(answer) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    _child_main()
