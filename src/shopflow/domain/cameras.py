"""A camera's analysis defaults, in one place for every layer that makes or stores a camera."""

from __future__ import annotations

# Frames analysed per second when nothing else is asked: enough to follow a walking person across a doorway.
DEFAULT_SAMPLE_FPS = 5.0
