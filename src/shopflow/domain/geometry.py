"""Counting lines and zones, in fractions of the frame (0..1) so geometry survives a resolution change."""

from __future__ import annotations

from dataclasses import dataclass

from shopflow.domain.problems import InputError

Point = tuple[float, float]

# Limits that keep checking a camera's geometry cheap (the simplicity check is quadratic in the corners) and are
# far above what a shop floor needs: a zone is a few shelves or a counter, a camera watches a door or two.
MAX_ZONE_CORNERS = 64
MAX_LINES_PER_CAMERA = 32
MAX_ZONES_PER_CAMERA = 32


class GeometryError(InputError):
    """Geometry that cannot be counted with; the message says what to fix."""


def check_geometry_counts(lines: int, zones: int) -> None:
    """Refuse more lines or zones than one camera may have (before any of them is checked)."""
    for kind, count, limit in (("line", lines, MAX_LINES_PER_CAMERA), ("zone", zones, MAX_ZONES_PER_CAMERA)):
        if count > limit:
            raise GeometryError(
                f"a camera has at most {limit} {kind}s, got {count}; remove some",
                f"too_many_{kind}s",
                limit=limit,
                count=count,
            )


def turn_point(point: Point, degrees: int) -> Point:
    """Where a point, in fractions of a picture, lands when the picture is turned `degrees` clockwise (quarter
    turns). A turn keeps a line's sides (it is no mirror), so an inside side stays the inside side."""
    x, y = point
    for _ in range(degrees // 90 % 4):
        x, y = 1.0 - y, x
    # Rounded: 1 - 0.3 is 0.7000000000000001, and a turned line should read as the user drew it.
    return (round(x, 6), round(y, 6))


def _check_fraction(name: str, point: Point) -> None:
    for value in point:
        if not 0.0 <= value <= 1.0:
            raise GeometryError(
                f"{name}: coordinate {value:g} is outside 0..1 "
                "(coordinates are fractions of the frame width and height)",
                "coordinate_outside",
                where=name,
            )


def _segments_cross(p1: Point, p2: Point, q1: Point, q2: Point) -> bool:
    """True when two segments properly intersect (touching at a shared end point does not count)."""

    def orient(a: Point, b: Point, c: Point) -> float:
        return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])

    d1, d2 = orient(q1, q2, p1), orient(q1, q2, p2)
    d3, d4 = orient(p1, p2, q1), orient(p1, p2, q2)
    return ((d1 > 0 > d2) or (d1 < 0 < d2)) and ((d3 > 0 > d4) or (d3 < 0 < d4))


@dataclass(frozen=True, slots=True)
class CountingLine:
    """A line from A to B. Crossing from the side where the cross product is negative to the positive side is `in`.

    With image coordinates (y down), a line drawn left to right counts a downward move as `in`.
    """

    name: str
    a: Point
    b: Point

    def __post_init__(self) -> None:
        if not self.name:
            raise GeometryError("a line needs a name", "line_name_missing")
        _check_fraction(f"line {self.name!r}", self.a)
        _check_fraction(f"line {self.name!r}", self.b)
        if self.a == self.b:
            raise GeometryError(
                f"line {self.name!r}: its two points are equal; give two different points",
                "line_points_equal",
                name=self.name,
            )


@dataclass(frozen=True, slots=True)
class Zone:
    """A simple polygon (at least three corners, no self-intersection)."""

    name: str
    polygon: tuple[Point, ...]

    def __post_init__(self) -> None:
        if not self.name:
            raise GeometryError("a zone needs a name", "zone_name_missing")
        where = f"zone {self.name!r}"
        if len(self.polygon) < 3:
            raise GeometryError(
                f"{where}: a zone needs at least 3 points, got {len(self.polygon)}",
                "zone_too_few_points",
                name=self.name,
            )
        if len(self.polygon) > MAX_ZONE_CORNERS:
            raise GeometryError(
                f"{where}: a zone has at most {MAX_ZONE_CORNERS} corners, got {len(self.polygon)}; "
                "outline it with fewer points",
                "zone_too_many_points",
                name=self.name,
                limit=MAX_ZONE_CORNERS,
            )
        for point in self.polygon:
            _check_fraction(where, point)
        if len(set(self.polygon)) != len(self.polygon):
            raise GeometryError(f"{where}: two corners are the same point", "zone_repeated_corner", name=self.name)
        n = len(self.polygon)
        edges = [(self.polygon[i], self.polygon[(i + 1) % n]) for i in range(n)]
        for i in range(n):
            for j in range(i + 1, n):
                if j == i + 1 or (i == 0 and j == n - 1):
                    continue  # neighbouring edges share a corner by construction
                if _segments_cross(*edges[i], *edges[j]):
                    raise GeometryError(
                        f"{where}: its edges cross each other (self-intersecting); "
                        "list the corners in order around the zone",
                        "zone_edges_cross",
                        name=self.name,
                    )
        area = 0.0
        for (x1, y1), (x2, y2) in edges:
            area += x1 * y2 - x2 * y1
        if abs(area) < 1e-9:
            raise GeometryError(
                f"{where}: the polygon has no area; its points lie on one line", "zone_no_area", name=self.name
            )
