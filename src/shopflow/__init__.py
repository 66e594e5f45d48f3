"""ShopFlow: people-flow analytics for physical stores."""

import os

# OpenCV and FFmpeg write their own warnings straight to stderr, bypassing logging; ShopFlow reports a bad
# camera or file itself, in one clear line. Set before any module imports cv2.
os.environ.setdefault("OPENCV_LOG_LEVEL", "OFF")
os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")

__version__ = "0.1.0"
