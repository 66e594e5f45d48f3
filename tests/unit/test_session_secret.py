"""The dashboard's session secret: SESSION_SECRET when set, else one made once and kept in DATA_DIR."""

from __future__ import annotations

import stat
from pathlib import Path

from shopflow.config.settings import SESSION_SECRET_FILE, Settings


def _settings(data_dir: Path, **values: object) -> Settings:
    return Settings(_env_file=None, data_dir=data_dir, **values)  # type: ignore[call-arg]


def test_the_setting_wins(tmp_path: Path) -> None:
    chosen = _settings(tmp_path, session_secret="from-the-environment")
    assert chosen.resolved_session_secret() == "from-the-environment"
    assert not (tmp_path / SESSION_SECRET_FILE).exists()


def test_without_the_setting_one_is_made_once_private_and_kept(tmp_path: Path) -> None:
    first = _settings(tmp_path / "data").resolved_session_secret()
    path = tmp_path / "data" / SESSION_SECRET_FILE
    assert len(first) >= 48
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert _settings(tmp_path / "data").resolved_session_secret() == first  # survives a restart
    assert [p.name for p in path.parent.iterdir()] == [SESSION_SECRET_FILE]  # no draft left behind
    assert _settings(tmp_path / "other").resolved_session_secret() != first
