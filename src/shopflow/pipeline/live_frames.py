"""Keeps only the newest frame of a live camera, so a slow analysis drops frames instead of falling behind."""

from __future__ import annotations

import threading
from collections.abc import Iterator

from shopflow.pipeline.sources import Frame, FrameSource, SourceError


class NewestFrameReader:
    """Reads a live source on its own thread; the consumer always gets the newest frame, and frames it never
    took are counted as dropped. Holds at most one frame: never an unbounded queue."""

    def __init__(self, source: FrameSource) -> None:
        self._source = source
        self._cond = threading.Condition()
        self._frame: Frame | None = None
        self._error: BaseException | None = None
        self._done = False
        self.dropped = 0
        self._thread = threading.Thread(target=self._read, name="frame-reader", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        try:
            for frame in self._source:
                with self._cond:
                    if self._frame is not None:
                        self.dropped += 1
                    self._frame = frame
                    self._cond.notify()
        except (SourceError, OSError) as error:
            with self._cond:
                self._error = error
        finally:
            with self._cond:
                self._done = True
                self._cond.notify()

    def __iter__(self) -> Iterator[Frame]:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._frame is not None or self._done)
                if self._frame is None:
                    if self._error is not None:
                        raise self._error
                    return
                frame, self._frame = self._frame, None
            yield frame

    def close(self) -> None:
        self._source.close()
        self._thread.join(timeout=5)
