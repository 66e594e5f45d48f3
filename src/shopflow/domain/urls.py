"""Camera URLs: their parts, and the one redaction rule for everything shown or logged.

The rule: everything before the host (user name and password, or a bare token) becomes `***`, and so do
credential-like query values. User names go too: on many cameras the user name is half of the secret, and
`rtsp://***@host` still says that the camera has credentials. Files and device numbers come back unchanged.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_plus

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
# Vendors put credentials in the query as often as in the userinfo, under any name: `password`, `pwd`, `pw`,
# `psw`, D-Link's `loginpas`, `user_pwd`, `token`, `auth`, `api_key`, AWS's `X-Amz-Signature`... A parameter is
# hidden when its name looks like any of these (a part of it, any case); a user name alone stays visible.
_QUERY_PARAM = re.compile(r"(?P<lead>[?&;](?P<name>[^=&#;?]*)=)(?P<value>[^&#;]*)")
_CREDENTIAL_NAME = re.compile(
    r"pas|pwd|psw|(?:^|[\W_])pw(?:[\W_]|$)|token|auth|secret|key|sig|credential|session|cookie|otp|hash|"
    r"(?:^|[\W_])sid(?:[\W_]|$)",
    re.IGNORECASE,
)


def is_credential_name(name: str) -> bool:
    """Whether a query parameter called `name` (URL-encoded or not) is taken for a credential."""
    return _CREDENTIAL_NAME.search(unquote_plus(name)) is not None


def _redact_param(match: re.Match[str]) -> str:
    return f"{match['lead']}{REDACTED}" if is_credential_name(match["name"]) else match[0]


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
    return _QUERY_PARAM.sub(_redact_param, url)
