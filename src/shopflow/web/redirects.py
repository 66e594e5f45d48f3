"""Where the dashboard may send a person after signing in: a path on this server, never another site."""

from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit, urlunsplit

HOME = "/"
# Control and invisible format characters: browsers drop tabs and newlines inside a URL and spaces and controls
# around it (`/\t/evil.example` becomes `//evil.example`, another site), so none is allowed anywhere.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Zs"})


def _has_refused_character(target: str) -> bool:
    return any(char == "\\" or char.isspace() or unicodedata.category(char) in _REFUSED_CATEGORIES for char in target)


def safe_next(target: str | None) -> str:
    """`target` rebuilt from its path and query when it is a plain path on this server, else "/".

    A plain path starts with exactly one `/` and has no scheme, no host, no whitespace or control character and no
    backslash (browsers read `\\` as `/`, so `/\\evil.example` is `//evil.example`). The fragment is dropped.
    """
    if not target or _has_refused_character(target):
        return HOME
    if not target.startswith("/") or target.startswith("//"):
        return HOME
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//"):
        return HOME
    return urlunsplit(("", "", parts.path, parts.query, ""))
