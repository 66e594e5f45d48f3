"""What kind of source a user's spec names (video file, RTSP, MJPEG over HTTP, webcam); URLs that are safe to log."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from shopflow.domain.urls import AUTHORITY, SCHEME, redact_url
from shopflow.pipeline.sources.base import SourceError


class SourceKind(StrEnum):
    FILE = "file"
    RTSP = "rtsp"
    MJPEG = "mjpeg"
    WEBCAM = "webcam"


_LIVE_SCHEMES = {
    "rtsp": SourceKind.RTSP,
    "rtsps": SourceKind.RTSP,
    "http": SourceKind.MJPEG,
    "https": SourceKind.MJPEG,
}
_DEFAULT_PORTS = {"rtsp": 554, "rtsps": 322, "http": 80, "https": 443}

_WEBCAM_PREFIX = "webcam:"
_HOW_TO = "give a video file path, an rtsp:// or http(s):// (MJPEG) camera URL, or a webcam index such as 0"

# "admin:secret@10.0.0.5/stream": a camera address whose scheme was forgotten, not a file name.
_BARE_CREDENTIALS = re.compile(r"^[^/\\:@]+:[^/\\]*@")


def url_host_port(url: str) -> tuple[str, int] | None:
    """Host (without IPv6 brackets) and port of a camera URL, the scheme's default port when none is given."""
    match = SCHEME.match(url)
    if match is None:
        return None
    authority = AUTHORITY.match(match["rest"])
    if authority is None or not authority["host"]:
        return None
    port_text = authority["port"]
    if port_text:
        port = int(port_text)
    else:
        default = _DEFAULT_PORTS.get(match["scheme"].lower())
        if default is None:
            return None
        port = default
    return authority["host"].strip("[]"), port


@dataclass(frozen=True, slots=True)
class SourceSpec:
    """A parsed source. `target` may hold credentials: it goes to OpenCV only; logs and messages use `for_logs`."""

    kind: SourceKind
    target: str
    for_logs: str

    @property
    def is_live(self) -> bool:
        return self.kind is not SourceKind.FILE

    @property
    def webcam_index(self) -> int:
        if self.kind is not SourceKind.WEBCAM:
            raise ValueError(f"{self.for_logs} is not a webcam")
        return int(self.target)


def parse_source_spec(spec: str) -> SourceSpec:
    """Classify what the user typed; raises SourceError with a fix-it message when it names no usable source."""
    text = spec.strip()
    if not text:
        raise SourceError(f"no video source given: {_HOW_TO}", "camera_source_missing")

    if text.isascii() and text.isdigit():
        return SourceSpec(SourceKind.WEBCAM, str(int(text)), f"webcam:{int(text)}")
    if text.lower().startswith(_WEBCAM_PREFIX):
        index = text[len(_WEBCAM_PREFIX) :].strip()
        if not (index.isascii() and index.isdigit()):
            raise SourceError(
                f"webcam index must be a whole number such as webcam:0, got {text!r}", "source_webcam_index"
            )
        return SourceSpec(SourceKind.WEBCAM, str(int(index)), f"webcam:{int(index)}")

    match = SCHEME.match(text)
    if match is not None:
        scheme = match["scheme"].lower()
        for_logs = redact_url(text)
        kind = _LIVE_SCHEMES.get(scheme)
        if kind is None:
            raise SourceError(f"unsupported source {for_logs}: {_HOW_TO}", "source_unsupported", scheme=scheme)
        if url_host_port(text) is None:
            raise SourceError(
                f"camera URL {for_logs} has no valid host or port; write it like "
                "rtsp://user:password@192.168.1.20:554/stream",
                "source_no_host",
            )
        return SourceSpec(kind, text, for_logs)

    path = Path(text).expanduser()
    if _BARE_CREDENTIALS.match(text) and not path.exists():
        raise SourceError(
            f"{redact_url('rtsp://' + text).removeprefix('rtsp://')} looks like a camera address without its scheme; "
            "start it with rtsp:// or http://",
            "source_no_scheme",
        )
    return SourceSpec(SourceKind.FILE, str(path), str(path))
