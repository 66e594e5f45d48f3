"""The one-time setup token that lets /setup create a new install's first owner.

Like Jupyter's: printed in the server's log and kept in DATA_DIR/setup_token (readable by the server's user
only), so only someone who can read the server's log or files claims a new install, never whoever opens /setup
first.
"""

from __future__ import annotations

import hmac
from pathlib import Path

from shopflow.config.files import kept_token
from shopflow.services.accounts import Accounts

SETUP_TOKEN_FILE = "setup_token"


class SetupTokenError(Exception):
    """/setup was opened without the one-time token the server printed in its log."""


def setup_token(accounts: Accounts, data_dir: Path) -> str | None:
    """The one-time token that lets /setup create the first owner (None once there is a user)."""
    path = data_dir / SETUP_TOKEN_FILE
    if accounts.has_users():
        path.unlink(missing_ok=True)
        return None
    token, _ = kept_token(path, 24)
    return token


def check_setup_token(data_dir: Path, given: str | None) -> None:
    """SetupTokenError unless `given` is the server's current setup token."""
    try:
        expected = (data_dir / SETUP_TOKEN_FILE).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        expected = ""
    if not expected or not given or not hmac.compare_digest(given.strip().encode(), expected.encode()):
        raise SetupTokenError(
            "open the set-up link printed in the server's log (or run `shopflow user create` on the server)"
        )
