"""Random tokens kept in the data folder (session secret, setup token): made once, owner-only, never half-read."""

from __future__ import annotations

import stat
from pathlib import Path

from shopflow.config.files import kept_token


def test_made_once_then_read_back(tmp_path: Path) -> None:
    path = tmp_path / "data" / "token"
    made, fresh = kept_token(path, 24)
    assert fresh and len(made) >= 24
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text(encoding="utf-8") == made + "\n"
    assert kept_token(path, 24) == (made, False)
    assert [p.name for p in path.parent.iterdir()] == ["token"]  # no draft left behind


def test_a_kept_token_is_never_replaced(tmp_path: Path) -> None:
    path = tmp_path / "token"
    path.write_text("  chosen-by-hand \n", encoding="utf-8")
    assert kept_token(path, 24) == ("chosen-by-hand", False)


def test_an_empty_file_counts_as_none(tmp_path: Path) -> None:
    path = tmp_path / "token"
    path.write_text("\n", encoding="utf-8")
    made, fresh = kept_token(path, 24)
    assert fresh and made
    assert path.read_text(encoding="utf-8").strip() == made
    assert [p.name for p in tmp_path.iterdir()] == ["token"]
