"""Constant-velocity Kalman filter for person boxes, batched over tracks, with time steps in seconds.

State per track: centre x, centre y, aspect (w/h), height, and their velocities per second (ByteTrack's xyah).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

F64 = npt.NDArray[np.float64]

# Noise scales with box height so near and far people are treated alike. The values are ByteTrack's per-frame
# weights (1/20 position, 1/160 velocity at 30 fps) turned into per-second densities, so a 2 s gap simply
# accumulates ten times the uncertainty of a 0.2 s step instead of one frame's worth.
_POS_NOISE = 0.27  # heights per sqrt(second)
_VEL_NOISE = 1.0  # heights per second per sqrt(second)
_ASPECT_NOISE = 0.05  # aspect units per sqrt(second): people bend and turn, but slowly
_MEASURE_NOISE = 0.05  # heights: a detector box edge is good to about a twentieth of the person
_MEASURE_ASPECT_NOISE = 0.1
_INITIAL_POS_STD = 0.1  # heights
_INITIAL_VEL_STD = 1.0  # heights per second: anything from standing still to a brisk walk
_MIN_HEIGHT = 1.0  # pixels; keeps noise positive for degenerate boxes

_XYAH = np.arange(4)


def xyxy_to_xyah(xyxy: npt.ArrayLike) -> F64:
    """(N, 4) corner boxes to (N, 4) centre x, centre y, aspect w/h, height."""
    box = np.asarray(xyxy, dtype=np.float64).reshape(-1, 4)
    width = box[:, 2] - box[:, 0]
    height = np.maximum(box[:, 3] - box[:, 1], _MIN_HEIGHT)
    return np.stack([(box[:, 0] + box[:, 2]) / 2.0, (box[:, 1] + box[:, 3]) / 2.0, width / height, height], axis=1)


def xyah_to_xyxy(xyah: npt.ArrayLike) -> F64:
    """(N, 4) centre/aspect/height boxes back to corners."""
    state = np.asarray(xyah, dtype=np.float64).reshape(-1, 4)
    height = state[:, 3]
    half_w, half_h = state[:, 2] * height / 2.0, height / 2.0
    cx, cy = state[:, 0], state[:, 1]
    return np.stack([cx - half_w, cy - half_h, cx + half_w, cy + half_h], axis=1)


def initiate(measurement: F64) -> tuple[F64, F64]:
    """Start tracks at (N, 4) xyah measurements, standing still but with a walking-speed velocity uncertainty."""
    n = measurement.shape[0]
    mean = np.zeros((n, 8))
    mean[:, :4] = measurement
    height = np.maximum(measurement[:, 3], _MIN_HEIGHT)
    std = np.empty((n, 8))
    std[:, [0, 1, 3]] = (_INITIAL_POS_STD * height)[:, None]
    std[:, 2] = _MEASURE_ASPECT_NOISE
    std[:, [4, 5, 7]] = (_INITIAL_VEL_STD * height)[:, None]
    std[:, 6] = _ASPECT_NOISE
    cov = np.zeros((n, 8, 8))
    cov[:, np.arange(8), np.arange(8)] = std**2
    return mean, cov


def predict(mean: F64, cov: F64, dt: F64, motion_dt: F64) -> tuple[F64, F64]:
    """Advance (N, 8) means and (N, 8, 8) covariances by dt seconds each.

    The box moves for motion_dt (<= dt) seconds only: the caller limits how long a track may coast on its old
    velocity, while uncertainty keeps growing for the whole dt.
    """
    n = mean.shape[0]
    transition = np.broadcast_to(np.eye(8), (n, 8, 8)).copy()
    transition[:, _XYAH, _XYAH + 4] = motion_dt[:, None]
    new_mean = mean.copy()
    new_mean[:, :4] += mean[:, 4:] * motion_dt[:, None]
    height = np.maximum(mean[:, 3], _MIN_HEIGHT)
    variance = np.empty((n, 8))
    variance[:, [0, 1, 3]] = ((_POS_NOISE * height) ** 2)[:, None]
    variance[:, 2] = _ASPECT_NOISE**2
    variance[:, [4, 5, 7]] = ((_VEL_NOISE * height) ** 2)[:, None]
    variance[:, 6] = (_ASPECT_NOISE / 10.0) ** 2
    new_cov = transition @ cov @ transition.transpose(0, 2, 1)
    new_cov[:, np.arange(8), np.arange(8)] += variance * dt[:, None]
    return new_mean, new_cov


def update(mean: F64, cov: F64, measurement: F64) -> tuple[F64, F64]:
    """Correct (N, 8) predicted states with (N, 4) xyah measurements."""
    height = np.maximum(mean[:, 3], _MIN_HEIGHT)
    innovation_cov = cov[:, :4, :4].copy()
    noise = np.empty((mean.shape[0], 4))
    noise[:, [0, 1, 3]] = ((_MEASURE_NOISE * height) ** 2)[:, None]
    noise[:, 2] = _MEASURE_ASPECT_NOISE**2
    innovation_cov[:, _XYAH, _XYAH] += noise
    # K = P H^T S^-1; S is symmetric, so solve S K^T = H P instead of inverting.
    gain = np.linalg.solve(innovation_cov, cov[:, :4, :]).transpose(0, 2, 1)
    innovation = measurement - mean[:, :4]
    new_mean = mean + (gain @ innovation[:, :, None])[:, :, 0]
    new_cov = cov - gain @ innovation_cov @ gain.transpose(0, 2, 1)
    return new_mean, new_cov
