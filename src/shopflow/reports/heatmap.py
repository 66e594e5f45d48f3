"""Heatmap pictures: where people stood in a camera's view over a range of local days, as a PNG."""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image as PillowImage
from sqlalchemy.orm import Session

from shopflow.reports.periods import DateRange, validate_range
from shopflow.reports.scope import resolve_scope
from shopflow.storage.repositories import HeatmapRepository
from shopflow.storage.rollup_records import HeatmapGrid

log = logging.getLogger(__name__)

DEFAULT_FRAME_SIZE = (640, 480)  # before a camera has sent its first heatmap tally
MAX_SIDE = 1280  # a 4K camera's full-size PNG would be megabytes for no visible gain
NEUTRAL_BACKGROUND = 200  # light grey: every colour of the map stands out against it
MAX_ALPHA = 0.65  # even the hottest cell lets the scene show through
# Cells at or above this share of the hottest get MAX_ALPHA; cooler ones fade out, and empty ones stay clear.
FULL_ALPHA_SHARE = 0.3

Image = npt.NDArray[np.uint8]
# A camera frame with the map over it is a photograph: as a 24-bit PNG it took 575 to 750 KB. With its colours
# reduced to a palette of 256 it takes about a quarter of that (150 KB for the sample's frame), each pixel off
# by 5 grey levels of 255 on average. The endpoint stays a PNG, which every report and browser reads.
PALETTE_COLOURS = 256


@dataclass(frozen=True, slots=True)
class HeatmapPicture:
    png: bytes
    width: int
    height: int
    person_seconds: float  # all presence in the range, over the whole grid
    hours: int  # hours with heatmap data
    span: DateRange


def combine_grids(grids: Sequence[HeatmapGrid]) -> HeatmapGrid | None:
    """One grid at the size of the first (most recent) one; others are resampled keeping their person-seconds."""
    if not grids:
        return None
    target = grids[0]
    cells = target.cells.astype(np.float64)
    hours = target.hours
    for grid in grids[1:]:
        resized = cv2.resize(
            grid.cells.astype(np.float32), (target.columns, target.rows), interpolation=cv2.INTER_AREA
        ).astype(np.float64)
        original, now = float(grid.cells.sum()), float(resized.sum())
        if now > 0:
            cells += resized * (original / now)
        hours += grid.hours
    return HeatmapGrid(
        camera_id=target.camera_id,
        columns=target.columns,
        rows=target.rows,
        cells=cells,
        frame_width=target.frame_width,
        frame_height=target.frame_height,
        hours=hours,
        last_updated=max(grid.last_updated for grid in grids),
    )


def _fit(width: int, height: int, max_side: int) -> tuple[int, int]:
    scale = min(1.0, max_side / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _decode(background: Image | bytes | None) -> Image | None:
    if background is None:
        return None
    if isinstance(background, bytes | bytearray | memoryview):
        decoded = cv2.imdecode(np.frombuffer(background, dtype=np.uint8), cv2.IMREAD_COLOR)
        if decoded is None:
            log.warning("heatmap background is not a decodable image; drawing on a neutral background")
            return None
        return np.asarray(decoded, dtype=np.uint8)
    if background.ndim == 2:
        return np.asarray(cv2.cvtColor(background, cv2.COLOR_GRAY2BGR), dtype=np.uint8)
    return np.ascontiguousarray(background[:, :, :3], dtype=np.uint8)


def _background(background: Image | bytes | None, size: tuple[int, int], max_side: int) -> Image:
    image = _decode(background)
    if image is None:
        width, height = _fit(*size, max_side)
        return np.full((height, width, 3), NEUTRAL_BACKGROUND, dtype=np.uint8)
    height, width = image.shape[:2]
    fitted = _fit(width, height, max_side)
    if fitted != (width, height):
        image = np.asarray(cv2.resize(image, fitted, interpolation=cv2.INTER_AREA), dtype=np.uint8)
    return image


def render(cells: npt.NDArray[np.float64], background: Image) -> Image:
    """`cells` (rows, columns) as a JET colour map over `background` (BGR), transparent where nobody stood."""
    height, width = background.shape[:2]
    peak = float(cells.max()) if cells.size else 0.0
    if peak <= 0:
        return background.copy()
    # Square root: presence is very uneven (a till versus an aisle), and a linear map would show only the till.
    intensity = np.sqrt(cells / peak).astype(np.float32)
    upscaled = cv2.resize(intensity, (width, height), interpolation=cv2.INTER_CUBIC)
    sigma = max(width / cells.shape[1], height / cells.shape[0]) / 2
    blurred = np.clip(np.asarray(cv2.GaussianBlur(upscaled, (0, 0), sigmaX=sigma), dtype=np.float32), 0.0, None)
    # Blurring lowers a lone hot cell's peak; scale back so the hottest spot is the top of the colour map.
    smooth = blurred / max(float(blurred.max()), 1e-12)
    colours = cv2.applyColorMap(np.round(smooth * 255).astype(np.uint8), cv2.COLORMAP_JET)
    alpha = (MAX_ALPHA * np.clip(smooth / FULL_ALPHA_SHARE, 0.0, 1.0))[:, :, np.newaxis]
    blended = background.astype(np.float32) * (1 - alpha) + colours.astype(np.float32) * alpha
    picture: Image = np.clip(np.round(blended), 0, 255).astype(np.uint8)
    return picture


def palette_png(picture: Image) -> bytes:
    """`picture` (BGR) as a PNG of at most PALETTE_COLOURS colours, the neutral background's grey exactly among them.

    Pillow's fast octree chooses the colours, but each is the average of the colours it stands for, so the plain
    grey of a camera without a frame would come out a shade off; it is put back in the palette, and every pixel
    then takes its nearest palette colour (no dithering: a map reads better without speckles).
    """
    rgb = PillowImage.fromarray(np.ascontiguousarray(picture[:, :, ::-1]))
    chosen = rgb.quantize(PALETTE_COLOURS - 1, method=PillowImage.Quantize.FASTOCTREE, dither=PillowImage.Dither.NONE)
    colours = list(chosen.getpalette() or [])[: 3 * (PALETTE_COLOURS - 1)]
    palette = PillowImage.new("P", (1, 1))
    palette.putpalette(colours + [NEUTRAL_BACKGROUND] * 3)
    reduced = rgb.quantize(palette=palette, dither=PillowImage.Dither.NONE)
    out = io.BytesIO()
    reduced.save(out, format="PNG", optimize=True)
    return out.getvalue()


def heatmap_png(
    session: Session,
    store_id: int,
    camera_id: int,
    since: date,
    until: date,
    *,
    background: Image | bytes | None = None,
    max_side: int = MAX_SIDE,
) -> HeatmapPicture:
    """The camera's heatmap over local days since..until as a PNG. It is drawn over `background` (a BGR image or
    encoded JPEG/PNG bytes, such as the camera's live frame; never stored) when given, else over neutral grey at
    the camera's frame size. With no data in the range the picture is the background alone."""
    span = validate_range(since, until)
    scope = resolve_scope(session, store_id, camera_id)
    start, end = span.utc_bounds(scope.timezone)
    grid = combine_grids(HeatmapRepository(session).grids(camera_id, start, end))
    size = DEFAULT_FRAME_SIZE if grid is None else (grid.frame_width, grid.frame_height)
    canvas = _background(background, size, max_side)
    picture = canvas if grid is None else render(grid.cells, canvas)
    height, width = picture.shape[:2]
    return HeatmapPicture(
        png=palette_png(picture),
        width=width,
        height=height,
        person_seconds=0.0 if grid is None else float(grid.cells.sum()),
        hours=0 if grid is None else grid.hours,
        span=span,
    )
