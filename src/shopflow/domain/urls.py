"""Camera URLs: their parts, and the one redaction rule for everything shown or logged.

The rule: everything before the host (user name and password, or a bare token) becomes `***`, and so do
credential-like query values. User names go too: on many cameras the user name is half of the secret, and
`rtsp://***@host` still says that the camera has credentials. Files and device numbers come back unchanged.
"""

from __future__ import annotations

import re

REDACTED = "***"

SCHEME = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*)://(?P<rest>.*)$", re.DOTALL)
# The user part is greedy on purpose: a password with an unencoded '@' or '/' (common when pasted from a camera's
# web page) still ends at the last '@' that is followed by a host. Erring this way hides too much, never too little.
AUTHORITY = re.compile(
    r"^(?:(?P<userinfo>.*)@)?"
    r"(?P<host>\[[0-9A-Fa-f:.]+\]|[^\s/?#@:\[\]]*)"
    r"(?::(?P<port>\d*))?"
    r"(?P<rest>[/?#].*)?$",
    re.DOTALL,
)
# Vendors put tokens in the query as often as in the userinfo.
_SECRET_PARAM = re.compile(
    r"(?P<name>[?&;](?:password|passwd|pass|pwd|token|access_token|key|api_key|apikey|secret|auth)=)[^&#;]*",
    re.IGNORECASE,
)


def redact_url(url: str) -> str:
    """`url` with its credentials replaced by `***` (see the module's rule)."""
    match = SCHEME.match(url)
    if match:
        rest = match["rest"]
        authority = AUTHORITY.match(rest)
        if authority is not None:
            if authority["userinfo"] is not None:
                rest = f"{REDACTED}@{rest[authority.start('host') :]}"
        elif "@" in rest:
            # Not a URL we can take apart (a bad port): hide everything up to the last '@'.
            rest = f"{REDACTED}@{rest.rpartition('@')[2]}"
        url = f"{match['scheme']}://{rest}"
    return _SECRET_PARAM.sub(rf"\g<name>{REDACTED}", url)
