"""A camera's health and its analysis defaults, one definition for every layer that runs, stores or shows it."""

from __future__ import annotations

from enum import StrEnum

# Frames analysed per second when nothing else is asked: enough to follow a walking person across a doorway.
DEFAULT_SAMPLE_FPS = 5.0
# The detector's input size of a camera stored or run without one. The API, the dashboard and the demo always
# give one: the server's YOLO_IMGSZ (config/settings.py) unless the request names another.
DEFAULT_IMGSZ = 480


class CameraStatus(StrEnum):
    """What a camera is doing: reported by its worker, stored on its row, shown by the API and the dashboard."""

    ONLINE = "online"
    OFFLINE = "offline"
    ERROR = "error"
    DISABLED = "disabled"
    STARTING = "starting"
    FINISHED = "finished"  # a video file played once has been analysed to its end
