"""A camera's status reason in the reader's language.

The camera workers report why a camera is in its state as an English sentence for the server's log (the
pipeline's sources and worker write them). The dashboard must not show an owner English, so each sentence the
workers write is recognised here and said again from the catalogue, with its numbers and addresses kept. A
reason nobody taught this module (a newer worker, a bridge) is shown as it came, rather than hidden: it is
still the best clue the owner has.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from shopflow.web.i18n import fmt_number, t

# A worker that could not open its source adds how long it waits before trying again.
_RETRYING = re.compile(r"^(?P<reason>.*) \(retrying in (?P<seconds>[\d.]+) s\)$")
# The worker wraps the source's own reason in these (pipeline/sources/live.py).
_WRAPPERS = (
    re.compile(r"^cannot connect to camera .*?: (?P<reason>.*)$"),
    re.compile(r"^cannot open .*?: (?P<reason>.*)$"),
    re.compile(r"^camera .*? stopped sending video: (?P<reason>.*?); check the camera and the network.*$"),
)


@dataclass(frozen=True, slots=True)
class _Known:
    pattern: re.Pattern[str]
    key: str


# (pattern, catalogue key): the named groups are the message's values.
_KNOWN = (
    _Known(re.compile(r"^no video from (?P<address>\S+); check the address.*$"), "reason_no_video_from"),
    _Known(re.compile(r"^the URL has no host$"), "reason_url_has_no_host"),
    _Known(re.compile(r"^no camera answers at index (?P<index>\d+).*$"), "reason_no_webcam"),
    _Known(
        re.compile(r"^connected, but no video frame arrived \(waited (?P<seconds>[\d.]+) s\)$"),
        "reason_no_first_frame",
    ),
    _Known(re.compile(r"^connected, but the first video frame could not be decoded$"), "reason_undecodable"),
    _Known(re.compile(r"^OpenCV error (?P<code>-?\d+)$"), "reason_opencv_error"),
    _Known(re.compile(r"^no frame for (?P<seconds>\d+) s$"), "reason_no_frame_for"),
    _Known(re.compile(r"^the stream ended \(the camera or server closed the connection\)$"), "reason_stream_ended"),
    _Known(re.compile(r"^opening .*$"), "reason_connecting"),
    _Known(re.compile(r"^receiving (?P<width>\d+)x(?P<height>\d+) video.*$"), "reason_receiving"),
    _Known(re.compile(r"^(?P<n>\d+) frames dropped: analysis slower than the camera$"), "reason_frames_dropped"),
    _Known(re.compile(r"^internal error: .*$"), "reason_internal_error"),
    _Known(re.compile(r"^the video file has been analysed to its end$"), "reason_video_finished"),
    _Known(re.compile(r"^the ShopFlow server was stopped$"), "reason_server_stopped"),
    _Known(re.compile(r"^starting$"), "reason_starting"),
)


# Every key this module may say, for the catalogue's completeness test.
REASON_KEYS = (*(known.key for known in _KNOWN), "reason_retrying")


def _seconds(text: str) -> str:
    """A worker's "2.5" in the reader's language ("2,5" in pt-BR)."""
    value = float(text)
    return fmt_number(value, 0 if value.is_integer() else 1)


def _plain(reason: str) -> str | None:
    for known in _KNOWN:
        match = known.pattern.match(reason)
        if match is not None:
            values = match.groupdict()
            if "seconds" in values:
                values["seconds"] = _seconds(values["seconds"])
            return t(known.key, **values)
    for wrapper in _WRAPPERS:
        match = wrapper.match(reason)
        if match is not None:
            return _plain(match.group("reason"))
    return None


def reason_text(reason: str | None) -> str:
    """`reason` as the reader's language says it ("" for none); an unknown reason as it came."""
    if not reason:
        return ""
    retrying = _RETRYING.match(reason)
    if retrying is not None:
        said = _plain(retrying.group("reason"))
        if said is not None:
            return t("reason_retrying", reason=said, seconds=_seconds(retrying.group("seconds")))
    return _plain(reason) or reason
