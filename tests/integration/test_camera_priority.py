"""Camera work runs below the server's priority (shopflow.pipeline.priority): the detector's threads, onnxruntime's
own thread pool included, and each camera's threads; the thread that asked for them keeps its own priority."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from pydantic import ValidationError

from shopflow.config.settings import Settings
from shopflow.pipeline.priority import CAMERA_NICENESS, lower_this_thread, made_in_background
from shopflow.pipeline.supervisor import CameraSupervisor
from shopflow.vision.detector import YoloOnnxDetector
from shopflow.vision.model_files import resolve_model


def niceness(thread_id: int) -> int:
    return os.getpriority(os.PRIO_PROCESS, thread_id)


def threads_of_this_process() -> set[int]:
    """Linux's ids of this process's threads (ShopFlow runs on Linux)."""
    return {int(task.name) for task in Path("/proc/self/task").iterdir()}


def test_a_lowered_thread_passes_its_priority_to_the_threads_it_starts_and_to_no_other() -> None:
    main = niceness(threading.get_native_id())
    seen: dict[str, int] = {}

    def child() -> None:
        seen["child"] = niceness(threading.get_native_id())

    def camera() -> None:
        lower_this_thread()
        seen["camera"] = niceness(threading.get_native_id())
        started = threading.Thread(target=child)
        started.start()
        started.join()

    thread = threading.Thread(target=camera)
    thread.start()
    thread.join()
    assert seen == {"camera": max(main, CAMERA_NICENESS), "child": max(main, CAMERA_NICENESS)}
    assert niceness(threading.get_native_id()) == main


def test_made_in_background_returns_what_was_made_and_hands_errors_back() -> None:
    assert made_in_background(lambda: niceness(threading.get_native_id())) >= CAMERA_NICENESS

    def broken() -> int:
        raise ValueError("no model here")

    with pytest.raises(ValueError, match="no model here"):
        made_in_background(broken)


class NoSink:
    def write(self, *_: object) -> None:
        raise AssertionError("no camera runs in this test")


def _started_by_preload(**options: int) -> tuple[int, dict[int, int]]:
    """The calling thread's niceness, and that of each thread a supervisor starts as it loads a detector."""
    main = niceness_of_this_thread()
    before = threads_of_this_process()

    def load(imgsz: int) -> YoloOnnxDetector:
        return YoloOnnxDetector(resolve_model("yolo11n"), imgsz=imgsz, threads=2)

    supervisor = CameraSupervisor(load, NoSink(), lambda *_: None, **options)
    supervisor.preload(320)
    try:
        started = threads_of_this_process() - before
        # The batching thread, and onnxruntime's pool of threads - 1 for the session (the caller is the other).
        assert len(started) >= 2, started
        assert niceness_of_this_thread() == main
        return main, {tid: niceness(tid) for tid in started}
    finally:
        supervisor.stop()


def niceness_of_this_thread() -> int:
    return niceness(threading.get_native_id())


def test_the_shared_detector_and_onnxruntimes_threads_run_below_the_server() -> None:
    main, started = _started_by_preload()
    assert started == dict.fromkeys(started, max(main, CAMERA_NICENESS))


def test_the_camera_niceness_setting_reaches_every_camera_thread() -> None:
    """CAMERA_NICENESS (a counting-only PC wants 0, a busy one more than 10) is what the supervisor's threads get."""
    wanted = max(niceness_of_this_thread(), CAMERA_NICENESS) + 3
    _main, started = _started_by_preload(niceness=wanted)
    assert started == dict.fromkeys(started, wanted)


def test_the_setting_defaults_to_the_lowered_priority_and_refuses_what_linux_does_not_have(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CAMERA_NICENESS", raising=False)
    assert Settings(_env_file=None, data_dir=tmp_path).camera_niceness == CAMERA_NICENESS  # type: ignore[call-arg]
    monkeypatch.setenv("CAMERA_NICENESS", "0")
    assert Settings(_env_file=None, data_dir=tmp_path).camera_niceness == 0  # type: ignore[call-arg]
    for wrong in ("20", "-1", "low"):
        monkeypatch.setenv("CAMERA_NICENESS", wrong)
        with pytest.raises(ValidationError, match="camera_niceness"):
            Settings(_env_file=None, data_dir=tmp_path)  # type: ignore[call-arg]
