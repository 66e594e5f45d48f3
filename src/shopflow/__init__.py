"""ShopFlow: people-flow analytics for physical stores."""

import os

# OpenCV and FFmpeg write their own warnings straight to stderr, bypassing logging; ShopFlow reports a bad
# camera or file itself, in one clear line. Set before any module imports cv2.
os.environ.setdefault("OPENCV_LOG_LEVEL", "OFF")
os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")
# A camera URL that redirects could lead FFmpeg to an address the source policy refuses (the server itself, a
# metadata service): redirects are not followed. An operator who needs them sets this variable.
os.environ.setdefault("OPENCV_FFMPEG_CAPTURE_OPTIONS", "max_redirects;0")

__version__ = "0.1.0"
