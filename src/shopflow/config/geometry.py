"""Parses counting lines and zones from the command line (`NAME:x1,y1,x2,y2`, `NAME:x1,y1;x2,y2;...`)."""

from __future__ import annotations

from shopflow.domain.geometry import CountingLine, GeometryError, Point, Zone


def _point(text: str, where: str) -> Point:
    parts = text.split(",")
    if len(parts) != 2:
        raise GeometryError(f"{where}: {text!r} is not a point; write x,y with fractions of the frame, e.g. 0.5,0.25")
    try:
        return (float(parts[0]), float(parts[1]))
    except ValueError:
        raise GeometryError(f"{where}: {text!r} is not a point; coordinates must be numbers from 0 to 1") from None


def _split_name(text: str, kind: str, example: str) -> tuple[str, str]:
    name, sep, rest = text.partition(":")
    if not sep or not name.strip() or not rest.strip():
        raise GeometryError(f"{kind} {text!r}: write it as {example}")
    return name.strip(), rest.strip()


def parse_line(text: str) -> CountingLine:
    name, rest = _split_name(text, "line", "NAME:x1,y1,x2,y2 (e.g. door:0.1,0.5,0.9,0.5)")
    values = rest.split(",")
    where = f"line {name!r}"
    if len(values) != 4:
        raise GeometryError(f"{where}: give exactly 4 numbers x1,y1,x2,y2, got {len(values)}")
    a = _point(",".join(values[:2]), where)
    b = _point(",".join(values[2:]), where)
    return CountingLine(name, a, b)


def parse_zone(text: str) -> Zone:
    name, rest = _split_name(text, "zone", "NAME:x1,y1;x2,y2;x3,y3... (e.g. counter:0.1,0.1;0.5,0.1;0.5,0.5)")
    where = f"zone {name!r}"
    return Zone(name, tuple(_point(p.strip(), where) for p in rest.split(";") if p.strip()))


def check_unique_names(lines: list[CountingLine], zones: list[Zone]) -> None:
    for kind, names in (("line", [line.name for line in lines]), ("zone", [zone.name for zone in zones])):
        seen: set[str] = set()
        for name in names:
            if name in seen:
                raise GeometryError(f"two {kind}s are named {name!r}; give each {kind} its own name")
            seen.add(name)
