"""After signing in, `?next=` may only lead to a path on this server: every way browsers turn a path into another
site is refused, and a good path comes back as its path and query."""

from __future__ import annotations

from urllib.parse import unquote

import pytest

from shopflow.web.redirects import safe_next


@pytest.mark.parametrize(
    "target",
    [
        None,
        "",
        "/\t/evil.example",
        unquote("/%09/evil.example"),  # what /login?next=%2F%09%2Fevil.example hands the page
        "/\n/evil.example",
        "/\r\n/evil",
        " //evil.example",
        "/ /evil.example",
        "/\x00/evil.example",
        "/\u200b/evil.example",  # zero-width space
        "/\u00a0/evil.example",  # no-break space
        "\\\\evil.example",
        "\\evil.example",
        "/\\evil.example",
        "/\\/evil.example",
        "//evil.example",
        "///evil.example",
        "//evil.example/cameras",
        "https://evil.example",
        "https:/evil.example",
        "http:evil.example",
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "evil.example",
        "cameras",
        "?next=//evil.example",
    ],
)
def test_anything_that_could_leave_the_site_goes_home(target: str | None) -> None:
    assert safe_next(target) == "/"


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/", "/"),
        ("/cameras", "/cameras"),
        ("/analytics?from=2026-11-01", "/analytics?from=2026-11-01"),
        ("/analytics?from=2026-11-01&to=2026-11-30", "/analytics?from=2026-11-01&to=2026-11-30"),
        ("/cameras#live", "/cameras"),  # the fragment is not kept
        ("/%2F/evil.example", "/%2F/evil.example"),  # an encoded slash stays a path segment on this server
        ("/lojas/S%C3%A3o%20Paulo", "/lojas/S%C3%A3o%20Paulo"),
    ],
)
def test_a_path_on_this_server_is_kept(target: str, expected: str) -> None:
    assert safe_next(target) == expected
