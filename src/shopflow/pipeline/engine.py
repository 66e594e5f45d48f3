"""One camera's analysis engine: frame -> motion gate -> detector -> tracker -> scene. The one code path
behind `shopflow analyze`, `shopflow serve` and `shopflow bridge`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from shopflow.analysis.scene import SceneAnalyzer, SceneSettings, SceneUpdate
from shopflow.analysis.staff import StaffDecision, StaffPresence
from shopflow.domain.geometry import CountingLine, Zone
from shopflow.domain.people import Detections, TrackedPerson
from shopflow.domain.stamped import SinkEvent, StaffCorrection, StaffDeparture
from shopflow.pipeline.motion import MotionGate, MotionSettings
from shopflow.pipeline.sources import Frame
from shopflow.pipeline.staff import StaffStage
from shopflow.pipeline.timings import StageTimings
from shopflow.vision.appearance import describe_clear
from shopflow.vision.detector import Image
from shopflow.vision.tracker import PersonTracker, TrackerSettings

DetectFn = Callable[[Image], Detections]


@dataclass(frozen=True, slots=True)
class EngineSettings:
    tracker: TrackerSettings = field(default_factory=TrackerSettings)
    scene: SceneSettings = field(default_factory=SceneSettings)
    motion: MotionSettings = field(default_factory=MotionSettings)


def engine_settings(person_confidence: float, *, motion_gate: bool = True) -> EngineSettings:
    """The engine with YOLO_CONFIDENCE as the score that makes a box a person. The server's cameras and
    `shopflow analyze` both build theirs here, so the two count alike. The tracker's other thresholds move only
    as far as they must to stay in order (weak boxes <= persons <= new tracks); the detector is then run at
    `tracker.low_confidence`, since the tracker's second stage needs the weak boxes too."""
    defaults = EngineSettings()
    tracker = replace(
        defaults.tracker,
        low_confidence=min(defaults.tracker.low_confidence, person_confidence),
        high_confidence=person_confidence,
        new_track_confidence=max(defaults.tracker.new_track_confidence, person_confidence),
    )
    return replace(defaults, tracker=tracker, motion=replace(defaults.motion, enabled=motion_gate))


@dataclass(frozen=True, slots=True)
class FrameResult:
    frame: Frame
    update: SceneUpdate
    detected: bool  # False when the motion gate skipped the detector
    # Tracks decided to be staff on this frame: everything they did before is staff's too (analysis/staff.py).
    staff: list[StaffDecision] = field(default_factory=list)
    # What storage must hear about staff: the corrections of this frame's decisions, and staff tracks gone.
    staff_events: list[StaffCorrection | StaffDeparture] = field(default_factory=list)


class CameraEngine:
    """Feed it sampled frames in time order; it returns what each frame changed."""

    def __init__(
        self,
        frame_width: int,
        frame_height: int,
        detect: DetectFn,
        *,
        lines: Sequence[CountingLine] = (),
        zones: Sequence[Zone] = (),
        settings: EngineSettings | None = None,
        staff: StaffStage | None = None,
        timings: StageTimings | None = None,
    ) -> None:
        self.settings = settings or EngineSettings()
        self._detect = detect
        self._staff = staff
        self.gate = MotionGate(self.settings.motion)
        self.tracker = PersonTracker(self.settings.tracker)
        self.scene = SceneAnalyzer(frame_width, frame_height, lines, zones, self.settings.scene)
        self.timings = timings or StageTimings()
        self._people: list[TrackedPerson] = []
        self.frames = 0
        self.detector_runs = 0

    def process(self, frame: Frame) -> FrameResult:
        self.frames += 1
        decisions: list[StaffDecision] = []
        with self.timings.measure("motion"):
            # While someone is being confirmed as a new track, every frame counts: skipping one would decide
            # differently whether they are real, and the counts must not depend on the gate.
            detect = self.gate.should_detect(frame.image, frame.timestamp) or self.tracker.stats.tentative > 0
        if detect:
            self.detector_runs += 1
            with self.timings.measure("detect"):
                detections = self._detect(frame.image)
            with self.timings.measure("track"):
                people = self.tracker.update(detections, frame.timestamp)
            if self._staff is not None:
                with self.timings.measure("staff"):
                    people, decisions = self._staff.classify(frame.image, people, frame.timestamp)
            self._people = people
            with self.timings.measure("appearance"):
                colours = describe_clear(frame.image, people)
        else:
            colours = None
        # With the detector skipped nothing moved, so the people are where they were last seen; the scene
        # still sees them, which keeps dwell times and stays running.
        # Drained every frame: the tracker holds the ids it dropped until someone collects them.
        ended = self.tracker.removed_since_last_call()
        with self.timings.measure("analyse"):
            update = self.scene.update(self._people, frame.timestamp, colours, ended)
        staff_events: list[StaffCorrection | StaffDeparture] = []
        if self._staff is not None:
            staff_events.extend(self._correction(decision) for decision in decisions)
            staff_events.extend(_departure(presence) for presence in self._staff.rules.take_departures())
        return FrameResult(frame, update, detect, decisions, staff_events)

    def _correction(self, decision: StaffDecision) -> StaffCorrection:
        # Counted as a new visitor before the decision? Then that visitor was never one.
        arrived_at = self.scene.visitors.withdraw(decision.track_id)
        return StaffCorrection(
            decision.track_id,
            decision.rule.value,
            decision.detail,
            decision.first_seen,
            decision.decided_at,
            visitor_arrived_at=arrived_at,
        )

    def finish(self) -> list[SinkEvent]:
        """End of the stream: the scene's open visits and parties, and the staff tracks still in view."""
        events: list[SinkEvent] = list(self.scene.finish())
        if self._staff is not None:
            events.extend(_departure(presence) for presence in self._staff.rules.finish())
        return events


def _departure(presence: StaffPresence) -> StaffDeparture:
    return StaffDeparture(presence.decision.track_id, presence.decision.first_seen, presence.last_seen)
