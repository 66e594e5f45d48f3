"""How many cameras at 5 fps one machine sustains with counts still correct.

Each camera plays the bundled sample at its own pace (10 fps, analysed at 5 fps), as a live camera would deliver
it, through the real supervisor, shared batching detector and engine; events go to an in-memory sink. A set of
cameras is sustained when every camera finishes its 79.5 s clip within 5 % of real time and counts exactly what
`shopflow analyze` counts on the same clip.

    .venv/bin/python bench/live_cameras.py [--cameras 1,2,4,6,8] [--imgsz 640]
"""

from __future__ import annotations

import argparse
import threading
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from shopflow.config.geometry import parse_line, parse_zone
from shopflow.domain.cameras import CameraStatus
from shopflow.domain.events import Crossing
from shopflow.domain.stamped import StampedEvent
from shopflow.pipeline.analyze import analyze_source
from shopflow.pipeline.camera import CameraReport, CameraSpec
from shopflow.pipeline.supervisor import CameraSupervisor
from shopflow.vision.detector import YoloOnnxDetector
from shopflow.vision.model_files import resolve_model

SAMPLE = Path(__file__).resolve().parent.parent / "src" / "shopflow" / "assets" / "vtest.avi"
LINES = (parse_line("vertical:0.40,0.98,0.40,0.28"), parse_line("horizontal:0.30,0.50,1.00,0.50"))
ZONES = (parse_zone("plaza:0.45,0.35;0.95,0.35;0.95,0.80;0.45,0.80"),)
VIDEO_SECONDS = 79.5


class MemorySink:
    def __init__(self) -> None:
        self.crossings: dict[int, Counter[tuple[str, str]]] = {}
        self._lock = threading.Lock()

    def write(self, camera_id: int, events: Sequence[StampedEvent]) -> None:
        with self._lock:
            counter = self.crossings.setdefault(camera_id, Counter())
            for stamped in events:
                if isinstance(stamped.event, Crossing):
                    counter[(stamped.event.line, str(stamped.event.direction))] += 1

    def close(self) -> None:
        pass


class Finished:
    def __init__(self) -> None:
        self.at: dict[int, float] = {}
        self.dropped: dict[int, int] = {}

    def camera_status(self, status: CameraReport) -> None:
        self.dropped[status.camera_id] = status.dropped_frames
        if status.state is CameraStatus.FINISHED:
            self.at.setdefault(status.camera_id, time.monotonic())


def run(cameras: int, imgsz: int, expected: Counter[tuple[str, str]]) -> tuple[float, bool]:
    sink, finished = MemorySink(), Finished()
    supervisor = CameraSupervisor(
        lambda size: YoloOnnxDetector(resolve_model("yolo11n"), imgsz=size, confidence=0.1, threads=2),
        sink,
        finished,
    )
    supervisor.preload(imgsz)
    specs = [
        CameraSpec(i, str(SAMPLE), 5.0, imgsz, LINES, ZONES, loop=False, realtime=True) for i in range(1, cameras + 1)
    ]
    start = time.monotonic()
    supervisor.sync(specs)
    while len(finished.at) < cameras and time.monotonic() - start < VIDEO_SECONDS * 4:
        time.sleep(0.5)
    supervisor.stop()
    slowest = max(finished.at.values(), default=time.monotonic()) - start
    correct = all(sink.crossings.get(i) == expected for i in range(1, cameras + 1))
    return slowest, correct


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cameras", default="1,2,4,6,8")
    parser.add_argument("--imgsz", type=int, default=640)
    args = parser.parse_args()
    detector = YoloOnnxDetector(resolve_model("yolo11n"), imgsz=args.imgsz, confidence=0.1, threads=2)
    report = analyze_source(str(SAMPLE), detector.detect, lines=LINES, zones=ZONES, sample_fps=5.0)
    expected = Counter({(name, d): c[d] for name, c in report.lines.items() for d in ("in", "out") if c[d]})
    print(f"input {args.imgsz}, 5 fps per camera, clip {VIDEO_SECONDS} s; CLI counts {dict(expected)}\n")
    print("| cameras | slowest camera finished after | vs real time | counts equal CLI | sustained |")
    print("| ---: | ---: | ---: | --- | --- |")
    for cameras in (int(c) for c in args.cameras.split(",")):
        seconds, correct = run(cameras, args.imgsz, expected)
        ratio = seconds / VIDEO_SECONDS
        sustained = "yes" if correct and ratio <= 1.05 else "no"
        equal = "yes" if correct else "no"
        print(f"| {cameras} | {seconds:.1f} s | {ratio:.2f}x | {equal} | {sustained} |", flush=True)


if __name__ == "__main__":
    main()
