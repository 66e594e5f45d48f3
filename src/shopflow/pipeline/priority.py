"""Camera work yields the CPU to the people using the server.

On a store PC with two cores the detector could use both all the time, and every API request and dashboard page
would queue behind it. The threads that analyse cameras (the shared detector, onnxruntime's own threads, each
camera's worker and frame reader) therefore run at a lower CPU priority (a higher Linux niceness) than the
server's event loop and its request threads. When nobody is asking anything the cameras still get every idle
cycle; when a request comes, the kernel's scheduler runs it first. A camera that then falls behind drops frames
(newest-frame reader) and says so in its status, as it does on any busy machine.

Linux keeps a niceness per thread, and a thread starts with its creator's. So a lowered thread passes its
priority on to the threads it starts, including the thread pool onnxruntime creates with a session.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from typing import TypeVar

log = logging.getLogger(__name__)

# Niceness 10 gives a thread about a tenth of the CPU share of a niceness-0 thread when both want to run.
# The CAMERA_NICENESS setting changes it: 0 on a PC that does nothing but count, where nothing else should win.
CAMERA_NICENESS = 10

T = TypeVar("T")


def lower_this_thread(niceness: int = CAMERA_NICENESS) -> None:
    """Give the calling thread (and the threads it starts from now on) at least `niceness`; never raises it."""
    try:
        thread = threading.get_native_id()
        current = os.getpriority(os.PRIO_PROCESS, thread)
        if current < niceness:
            os.setpriority(os.PRIO_PROCESS, thread, niceness)
    except (AttributeError, OSError) as error:  # not Linux, or a sandbox that forbids it: run as we are
        log.debug("could not lower the priority of thread %s: %s", threading.current_thread().name, error)


def made_in_background(make: Callable[[], T], name: str = "background-loader", niceness: int = CAMERA_NICENESS) -> T:
    """`make()` called on a new thread of camera priority, for objects whose own threads are started as they are
    made (onnxruntime starts a session's thread pool in its constructor). Errors reach the caller."""
    result: list[T] = []
    failure: list[BaseException] = []

    def run() -> None:
        lower_this_thread(niceness)
        try:
            result.append(make())
        except BaseException as error:  # handed to the caller, who decides
            failure.append(error)

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]
    return result[0]
