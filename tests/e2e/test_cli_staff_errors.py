"""Bad staff rules given to `shopflow analyze` get one clear line and exit 2, before any video is read."""

from __future__ import annotations

from pathlib import Path

import pytest

from .test_cli_errors import SAMPLE, run_cli


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("uniforms")
    (folder / "broken.json").write_text('{"name": "shirt", "upper": [200, 0', encoding="utf-8")
    (folder / "bad_colour.json").write_text('{"name": "shirt", "upper": "#12345"}', encoding="utf-8")
    (folder / "no_colour.json").write_text('{"name": "shirt"}', encoding="utf-8")
    (folder / "typo.json").write_text('{"name": "shirt", "uper": "#ff0000"}', encoding="utf-8")
    return folder


CASES = [
    ("staff zone with two points", ["--staff-zone", "counter:0.1,0.1;0.9,0.9"], "at least 3 points"),
    ("staff zone outside the frame", ["--staff-zone", "counter:0.1,0.1;0.9,1.5;0.9,0.9"], "outside 0..1"),
    ("two staff zones with one name", ["--staff-zone", "c:0,0;1,0;1,1", "--staff-zone", "c:0,0;1,0;0,1"], "named"),
    ("staff-after zero", ["--staff-after", "0"], "--staff-after"),
    ("staff-after over a day", ["--staff-after", "2000"], "--staff-after"),
    ("missing uniform file", ["--uniform", "{dir}/nowhere.json"], "cannot read the uniform file"),
    ("uniform that is not JSON", ["--uniform", "{dir}/broken.json"], "not valid JSON"),
    ("uniform colour that is not a colour", ["--uniform", "{dir}/bad_colour.json"], "#RRGGBB"),
    ("uniform without colours", ["--uniform", "{dir}/no_colour.json"], "upper colour, the lower colour or both"),
    ("uniform with an unknown field", ["--uniform", "{dir}/typo.json"], "unknown field(s) uper"),
]


@pytest.mark.parametrize(("name", "args", "message"), CASES, ids=[c[0] for c in CASES])
def test_bad_staff_rule_gets_one_clear_line(name: str, args: list[str], message: str, files: Path) -> None:
    result = run_cli("analyze", str(SAMPLE), *[arg.format(dir=files) for arg in args])
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error:")
    assert message in lines[0], lines[0]


FACES = Path(__file__).resolve().parents[1] / "fixtures" / "faces"
EMPLOYEE_CASES = [
    ("employee without photos", ["--employee", "Ana"], "NAME:PHOTO"),
    ("employee photo missing", ["--employee", f"Ana:{FACES}/nobody.jpg"], "cannot read"),
    ("employee photo with three faces", ["--employee", f"Ana:{FACES}/gdp.jpg"], "3 faces found"),
    ("employee photo not an image", ["--employee", f"Ana:{FACES.parent}/NOTICE.md"], "not an image"),
    ("six photos", ["--employee", "Ana:" + ",".join([f"{FACES}/obama.jpg"] * 6)], "1 to 5 photos"),
]


@pytest.mark.parametrize(("name", "args", "message"), EMPLOYEE_CASES, ids=[c[0] for c in EMPLOYEE_CASES])
def test_bad_employee_gets_one_clear_line(name: str, args: list[str], message: str) -> None:
    result = run_cli("analyze", str(SAMPLE), *args, timeout=180)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert message in lines[0], lines[0]
