"""ByteTrack-style person tracker: one stable id per person across frames sampled at irregular stream times."""

from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass
from enum import Enum, auto

import numpy as np

from shopflow.domain.people import Detections, TrackedPerson
from shopflow.vision import kalman
from shopflow.vision.kalman import F64

log = logging.getLogger(__name__)

_NO_MATCH = 1e6  # cost for pairs below the IoU floor; finite so the assignment always exists
_MAX_PENDING_REMOVALS = 10_000  # removals nobody drained; beyond this the oldest are dropped with a warning


@dataclass(frozen=True, slots=True)
class TrackerSettings:
    high_confidence: float = 0.5  # YOLO_CONFIDENCE: boxes at/above this are people (first association)
    low_confidence: float = 0.1  # boxes between low and high only extend existing tracks (ByteTrack's 2nd stage)
    new_track_confidence: float = 0.6  # a box must reach this to start a new track
    match_iou: float = 0.2  # minimum IoU for the first association
    low_match_iou: float = 0.3  # minimum IoU for the second association
    lost_seconds: float = 4.0  # a lost track waits this long (stream time) for re-association, then is removed
    min_hits: int = 2  # consecutive matches before a new track is reported (suppresses one-frame ghosts)
    coast_seconds: float = 2.0  # an unmatched track moves on its last velocity this long, then stands where it is
    max_lost_speed: float = 1.2  # person heights per second; a lost track never coasts faster (brisk walk)
    # A lost track takes over a confident box that IoU could not pair with it when the box's feet stand within
    # this many of the track's heights of where it was last seen, within revive_seconds of losing it.
    revive_distance: float = 1.0
    revive_seconds: float = 2.0

    def __post_init__(self) -> None:
        if not 0.0 <= self.low_confidence <= self.high_confidence <= self.new_track_confidence <= 1.0:
            raise ValueError("need 0 <= low_confidence <= high_confidence <= new_track_confidence <= 1")
        if not (0.0 < self.match_iou <= 1.0 and 0.0 < self.low_match_iou <= 1.0):
            raise ValueError("match_iou and low_match_iou must be in (0, 1]")
        if self.lost_seconds < 0 or self.coast_seconds < 0 or self.max_lost_speed < 0 or self.min_hits < 1:
            raise ValueError("lost_seconds, coast_seconds, max_lost_speed must be >= 0 and min_hits >= 1")


@dataclass(frozen=True, slots=True)
class TrackerStats:
    """How many tracks the tracker holds, by phase; the sum is everything it keeps per person."""

    tentative: int
    tracked: int
    lost: int
    pending_removals: int


class _Phase(Enum):
    TENTATIVE = auto()  # seen, not yet confirmed; has no public id
    TRACKED = auto()  # matched on the latest update
    LOST = auto()  # missed; waits lost_seconds for re-association


@dataclass(slots=True, eq=False)
class _Track:
    mean: F64  # (8,) Kalman state, xyah + velocities per second
    cov: F64  # (8, 8)
    last_box: F64  # (4,) xyxy of the last matched detection
    last_matched_at: float
    phase: _Phase = _Phase.TENTATIVE
    track_id: int = 0  # 0 until confirmed, so ghosts never consume ids
    hits: int = 1
    lost_since: float = 0.0


def box_iou(a: F64, b: F64) -> F64:
    """Pairwise IoU of (N, 4) and (M, 4) xyxy boxes as an (N, M) matrix."""
    top_left = np.maximum(a[:, None, :2], b[None, :, :2])
    bottom_right = np.minimum(a[:, None, 2:], b[None, :, 2:])
    inter = np.prod(np.clip(bottom_right - top_left, 0.0, None), axis=2)
    area_a = np.prod(np.clip(a[:, 2:] - a[:, :2], 0.0, None), axis=1)
    area_b = np.prod(np.clip(b[:, 2:] - b[:, :2], 0.0, None), axis=1)
    union = area_a[:, None] + area_b[None, :] - inter
    iou: F64 = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
    return iou


def _feet_closeness(track_boxes: F64, heights: F64, boxes: F64, max_heights: float) -> F64:
    """1 - (feet distance / (max_heights x the track's height)), floored at 0: an IoU-like score for _assign."""
    track_feet = np.stack([(track_boxes[:, 0] + track_boxes[:, 2]) / 2, track_boxes[:, 3]], axis=1)
    box_feet = np.stack([(boxes[:, 0] + boxes[:, 2]) / 2, boxes[:, 3]], axis=1)
    distance = np.linalg.norm(track_feet[:, None, :] - box_feet[None, :, :], axis=2)
    reach = max_heights * np.maximum(heights, 1.0)
    closeness: F64 = np.clip(1.0 - distance / reach[:, None], 0.0, None)
    return closeness


def _assign(iou: F64, min_iou: float) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """Hungarian matching on 1 - IoU; returns (row, col) matches, unmatched rows, unmatched cols."""
    rows, cols = iou.shape
    if rows == 0 or cols == 0:
        return [], list(range(rows)), list(range(cols))
    cost = np.where(iou >= min_iou, 1.0 - iou, _NO_MATCH)
    # Imported here: scipy.optimize loads all of its solvers (0.9 s), which every CLI command paid at start,
    # `--help` and a wrong argument included. After the first frame this is a lookup in sys.modules.
    from scipy.optimize import linear_sum_assignment

    row_idx, col_idx = linear_sum_assignment(cost)
    matches = [(int(r), int(c)) for r, c in zip(row_idx, col_idx, strict=True) if iou[r, c] >= min_iou]
    matched_rows = {r for r, _ in matches}
    matched_cols = {c for _, c in matches}
    return (
        matches,
        [r for r in range(rows) if r not in matched_rows],
        [c for c in range(cols) if c not in matched_cols],
    )


class PersonTracker:
    """Assigns stable ids to person detections, frame after frame (ByteTrack with time-aware prediction).

    Reported boxes are the matched detection's own box, not the Kalman estimate: the filter is there to
    associate, and the raw box has no lag when someone walks briskly through a door line. Kalman smoothing
    would mostly hide detector jitter that the analysis layer already absorbs with its own hysteresis.
    """

    def __init__(self, settings: TrackerSettings = TrackerSettings()) -> None:
        self._settings = settings
        self._tracks: list[_Track] = []
        self._next_id = 1
        self._removed: deque[int] = deque()
        self._last_at: float | None = None

    def __len__(self) -> int:
        """Tracks held right now, tentative ones included."""
        return len(self._tracks)

    @property
    def stats(self) -> TrackerStats:
        phases = [t.phase for t in self._tracks]
        return TrackerStats(
            tentative=phases.count(_Phase.TENTATIVE),
            tracked=phases.count(_Phase.TRACKED),
            lost=phases.count(_Phase.LOST),
            pending_removals=len(self._removed),
        )

    @property
    def live_track_ids(self) -> frozenset[int]:
        """Ids that are tracked or lost but still re-identifiable."""
        return frozenset(t.track_id for t in self._tracks if t.phase is not _Phase.TENTATIVE)

    def removed_since_last_call(self) -> list[int]:
        """Ids forgotten for good since the previous call; each id is reported exactly once."""
        removed = list(self._removed)
        self._removed.clear()
        return removed

    def update(self, detections: Detections, at: float) -> list[TrackedPerson]:
        """Associate one frame's detections taken at stream time `at` (seconds); returns confirmed people seen now."""
        s = self._settings
        at = self._predict(at)
        boxes = np.asarray(detections.xyxy, dtype=np.float64).reshape(-1, 4)
        scores = np.asarray(detections.confidence, dtype=np.float64).reshape(-1)
        high = np.flatnonzero(scores >= s.high_confidence)
        low = np.flatnonzero((scores >= s.low_confidence) & (scores < s.high_confidence))

        tracks = self._tracks
        confirmed = [i for i, t in enumerate(tracks) if t.phase is not _Phase.TENTATIVE]
        tentative = [i for i, t in enumerate(tracks) if t.phase is _Phase.TENTATIVE]
        predicted = kalman.xyah_to_xyxy(np.array([t.mean[:4] for t in tracks]).reshape(-1, 4))
        last_boxes = np.array([t.last_box for t in tracks]).reshape(-1, 4)

        # Stage 1: confident boxes against every confirmed track. A lost track also matches where it was last
        # seen, because people who vanish behind a shelf have usually stopped, not kept walking.
        iou = box_iou(predicted[confirmed], boxes[high])
        was_lost = np.array([tracks[i].phase is _Phase.LOST for i in confirmed], dtype=bool)
        if was_lost.any():
            at_last_box = box_iou(last_boxes[confirmed], boxes[high])
            iou = np.where(was_lost[:, None], np.maximum(iou, at_last_box), iou)
        matches, free_tracks, free_high = _assign(iou, s.match_iou)
        pairs = [(confirmed[r], int(high[c])) for r, c in matches]

        # Stage 1b: behind an occluder the box shrinks to a fragment or the person changes pace, so IoU misses
        # the re-appearance; a confident box standing where a recently lost track stood is that person.
        recently_lost = [
            confirmed[r]
            for r in free_tracks
            if tracks[confirmed[r]].phase is _Phase.LOST and at - tracks[confirmed[r]].lost_since <= s.revive_seconds
        ]
        if recently_lost and free_high:
            candidates = high[free_high]
            # The Kalman height and position: the last box may be a fragment of the person going out of sight.
            heights = np.array([tracks[i].mean[3] for i in recently_lost])
            closeness = np.maximum(
                _feet_closeness(last_boxes[recently_lost], heights, boxes[candidates], s.revive_distance),
                _feet_closeness(predicted[recently_lost], heights, boxes[candidates], s.revive_distance),
            )
            matches, _, still_free = _assign(closeness, 1e-9)
            pairs += [(recently_lost[r], int(candidates[c])) for r, c in matches]
            free_high = [free_high[c] for c in still_free]

        # Stage 2 (ByteTrack): doubtful boxes may only extend tracks that were tracked until now.
        still_tracked = [confirmed[r] for r in free_tracks if tracks[confirmed[r]].phase is _Phase.TRACKED]
        matches, _, _ = _assign(box_iou(predicted[still_tracked], boxes[low]), s.low_match_iou)
        pairs += [(still_tracked[r], int(low[c])) for r, c in matches]

        # Stage 3: tentative tracks need another confident box to survive.
        leftover_high = high[free_high]
        matches, _, unused = _assign(box_iou(predicted[tentative], boxes[leftover_high]), s.match_iou)
        pairs += [(tentative[r], int(leftover_high[c])) for r, c in matches]

        matched = self._correct(pairs, boxes, at)
        reported = [self._person(tracks[i], boxes[d], scores[d]) for i, d in pairs if tracks[i].track_id]
        self._retire_unmatched(matched, at)
        starters = [int(d) for d in leftover_high[unused] if scores[d] >= s.new_track_confidence]
        for new, d in zip(self._start(boxes[starters], at), starters, strict=True):
            if new.track_id:
                reported.append(self._person(new, boxes[d], scores[d]))
        reported.sort(key=lambda p: p.track_id)
        return reported

    def _predict(self, at: float) -> float:
        """Move every track to time `at`, coasting at most coast_seconds past its last match; returns the time used."""
        previous = at if self._last_at is None else self._last_at
        if at < previous:
            log.warning("tracker: stream time went backwards (%.3f -> %.3f); treating as no time passed", previous, at)
            at = previous
        self._last_at = at
        if not self._tracks or at == previous:
            return at
        s = self._settings
        for track in self._tracks:
            if track.phase is _Phase.LOST:
                # A lost track's velocity is a guess from before the occlusion: cap it and stop resizing.
                height = max(track.mean[3], 1.0)
                speed = float(np.hypot(track.mean[4], track.mean[5]))
                limit = s.max_lost_speed * height
                if speed > limit:
                    track.mean[4:6] *= limit / speed
                track.mean[6:8] = 0.0
        dt = np.full(len(self._tracks), at - previous)
        coast_end = np.array([t.last_matched_at + s.coast_seconds for t in self._tracks])
        motion_dt = np.clip(np.minimum(at, coast_end) - previous, 0.0, None)
        mean, cov = kalman.predict(
            np.stack([t.mean for t in self._tracks]), np.stack([t.cov for t in self._tracks]), dt, motion_dt
        )
        for i, track in enumerate(self._tracks):
            track.mean, track.cov = mean[i], cov[i]
        return at

    def _correct(self, pairs: list[tuple[int, int]], boxes: F64, at: float) -> set[int]:
        """Kalman-update matched tracks in one batch; confirm tentative tracks that reached min_hits."""
        if not pairs:
            return set()
        idx = [i for i, _ in pairs]
        dets = [d for _, d in pairs]
        mean, cov = kalman.update(
            np.stack([self._tracks[i].mean for i in idx]),
            np.stack([self._tracks[i].cov for i in idx]),
            kalman.xyxy_to_xyah(boxes[dets]),
        )
        for row, (i, d) in enumerate(pairs):
            track = self._tracks[i]
            track.mean, track.cov = mean[row], cov[row]
            track.last_box = boxes[d].copy()
            track.last_matched_at = at
            track.hits += 1
            if track.phase is _Phase.TENTATIVE and track.hits >= self._settings.min_hits:
                self._confirm(track)
            elif track.phase is _Phase.LOST:
                track.phase = _Phase.TRACKED
        return set(idx)

    def _retire_unmatched(self, matched: set[int], at: float) -> None:
        """Unmatched tracks get lost; lost ones past lost_seconds and unmatched tentative ones are dropped."""
        kept: list[_Track] = []
        for i, track in enumerate(self._tracks):
            if i in matched:
                kept.append(track)
            elif track.phase is _Phase.TRACKED:
                track.phase, track.lost_since = _Phase.LOST, at
                kept.append(track)
            elif track.phase is _Phase.LOST and at - track.lost_since <= self._settings.lost_seconds:
                kept.append(track)
            elif track.phase is _Phase.LOST:
                self._report_removed(track.track_id)
        self._tracks = kept

    def _start(self, boxes: F64, at: float) -> list[_Track]:
        if boxes.shape[0] == 0:
            return []
        mean, cov = kalman.initiate(kalman.xyxy_to_xyah(boxes))
        new = [_Track(mean[i], cov[i], boxes[i].copy(), at) for i in range(boxes.shape[0])]
        for track in new:
            if self._settings.min_hits <= 1:
                self._confirm(track)
        self._tracks.extend(new)
        return new

    def _confirm(self, track: _Track) -> None:
        track.phase, track.track_id = _Phase.TRACKED, self._next_id
        self._next_id += 1

    def _report_removed(self, track_id: int) -> None:
        if len(self._removed) == _MAX_PENDING_REMOVALS:
            log.warning("tracker: %d removed ids never collected; dropping the oldest", _MAX_PENDING_REMOVALS)
            self._removed.popleft()
        self._removed.append(track_id)

    @staticmethod
    def _person(track: _Track, box: F64, score: float) -> TrackedPerson:
        x1, y1, x2, y2 = (float(v) for v in box)
        return TrackedPerson(track_id=track.track_id, x1=x1, y1=y1, x2=x2, y2=y2, confidence=float(score))
