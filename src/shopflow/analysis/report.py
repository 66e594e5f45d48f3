"""The summary of an analysed stream, built from the scene's events: what `shopflow analyze` prints and writes."""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from shopflow.analysis.scene import SceneAnalyzer
from shopflow.analysis.staff import StaffDecision, StaffTally
from shopflow.domain.events import Visit


@dataclass(slots=True)
class ZoneReport:
    visits: int = 0
    dwell_seconds: list[float] = field(default_factory=list)
    peak_occupancy: int = 0

    @property
    def mean_dwell(self) -> float | None:
        return statistics.fmean(self.dwell_seconds) if self.dwell_seconds else None

    @property
    def median_dwell(self) -> float | None:
        return statistics.median(self.dwell_seconds) if self.dwell_seconds else None


@dataclass(slots=True)
class AnalysisReport:
    lines: dict[str, dict[str, int]]
    zones: dict[str, ZoneReport]
    unique_visitors: int
    potential_customers: int
    groups: int
    peak_people: int
    frames: int
    video_seconds: float
    processing_seconds: float
    detector_runs: int = 0  # analysed frames the motion gate let through to the detector
    stage_seconds: dict[str, float] = field(default_factory=dict)
    staff: StaffTally = field(default_factory=StaffTally)

    @property
    def frames_per_second(self) -> float:
        return self.frames / self.processing_seconds if self.processing_seconds > 0 else 0.0

    @property
    def realtime_factor(self) -> float:
        return self.video_seconds / self.processing_seconds if self.processing_seconds > 0 else 0.0

    def to_json(self) -> dict[str, Any]:
        """The documented JSON shape of `shopflow analyze --json`."""
        return {
            # in/out count everyone; customers_in/out leave out every track decided to be staff, whenever decided.
            "lines": {
                name: {
                    "in": c["in"],
                    "out": c["out"],
                    "customers_in": c["in"] - self.staff.crossings(name, "in"),
                    "customers_out": c["out"] - self.staff.crossings(name, "out"),
                }
                for name, c in self.lines.items()
            },
            "zones": {
                name: {
                    "visits": z.visits,
                    "dwell_seconds": [round(d, 3) for d in z.dwell_seconds],
                    "peak_occupancy": z.peak_occupancy,
                }
                for name, z in self.zones.items()
            },
            "unique_visitors": self.unique_visitors,
            "potential_customers": self.potential_customers,
            "groups": self.groups,
            "frames": self.frames,
            "video_seconds": round(self.video_seconds, 3),
            "processing_seconds": round(self.processing_seconds, 3),
            "staff": self.staff.to_json(),
        }


class ReportBuilder:
    """Collects the per-visit dwell times a finite stream produces; the counters live in the scene."""

    def __init__(self, scene: SceneAnalyzer) -> None:
        self._scene = scene
        self._dwell: dict[str, list[float]] = {zone.zone.name: [] for zone in scene.zones}
        self.staff = StaffTally()

    def add(self, events: Iterable[object]) -> None:
        events = list(events)
        for event in events:
            if isinstance(event, Visit):
                self._dwell[event.zone].append(event.dwell_seconds)
        self.staff.add(events)

    def add_staff(self, decisions: Iterable[StaffDecision]) -> None:
        self.staff.decide(decisions)

    def build(
        self,
        frames: int,
        video_seconds: float,
        processing_seconds: float,
        stage_seconds: dict[str, float],
        detector_runs: int,
    ) -> AnalysisReport:
        scene = self._scene
        return AnalysisReport(
            lines={line.line.name: {"in": line.entries, "out": line.exits} for line in scene.lines},
            zones={
                zone.zone.name: ZoneReport(
                    visits=len(self._dwell[zone.zone.name]),
                    dwell_seconds=self._dwell[zone.zone.name],
                    peak_occupancy=zone.peak_occupancy,
                )
                for zone in scene.zones
            },
            unique_visitors=scene.visitors.customers,
            potential_customers=scene.groups.potential_customers_total,
            groups=scene.groups.groups_total,
            peak_people=scene.peak_people,
            frames=frames,
            video_seconds=video_seconds,
            processing_seconds=processing_seconds,
            detector_runs=detector_runs,
            stage_seconds=stage_seconds,
            staff=self.staff,
        )
