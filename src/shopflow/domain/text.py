"""Plain text: what a name, an id or a note typed by a person may hold."""

from __future__ import annotations

import re

from shopflow.domain.problems import InputError

# C0 and C1 control characters (NUL, tab, new line, escape...) and lone UTF-16 surrogates: none belongs in a name,
# PostgreSQL refuses NUL and unencodable text outright, and spreadsheets refuse control characters.
_NOT_PLAIN = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def check_plain_text(value: str) -> str:
    """`value` when it holds no control character; otherwise a ValueError that says what to remove."""
    found = _NOT_PLAIN.search(value)
    if found is not None:
        position = found.start() + 1
        raise InputError(
            f"must not contain control characters (tab, new line, NUL...): remove the one at {position}",
            "control_characters",
        )
    return value


def shown_plainly(value: str) -> str:
    """`value` with each control character replaced by U+FFFD: for records that must keep whatever a stranger
    typed (an e-mail tried at sign-in, in the audit log) where PostgreSQL refuses a NUL outright."""
    return _NOT_PLAIN.sub("\ufffd", value)
