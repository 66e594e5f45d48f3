"""Where to go after signing in: a path on this server only, never another site."""

from __future__ import annotations


def safe_next(target: str | None) -> str:
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    if any(ord(c) < 0x21 or ord(c) == 0x7F for c in target):
        # Browsers drop tabs and newlines inside URLs, so "/\t/evil.example" would become "//evil.example".
        return "/"
    return target
