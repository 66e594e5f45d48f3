"""Camera URLs lose every credential-like query value, whatever the vendor calls it; other parameters stay."""

from __future__ import annotations

import pytest

from shopflow.domain.urls import REDACTED, redact_url

SECRET = "s3cr3t"


@pytest.mark.parametrize(
    "name",
    [
        "pw",
        "PW",
        "pwd",
        "psw",
        "pass",
        "Passwd",
        "password",
        "PASSWORD",
        "loginpas",
        "loginpass",
        "user_pwd",
        "usr_pw",
        "pw-hash",
        "senha_pass",
        "token",
        "access_token",
        "authtoken",
        "auth",
        "Authorization",
        "key",
        "api_key",
        "apikey",
        "secret",
        "client_secret",
        "sig",
        "signature",
        "X-Amz-Signature",
        "credential",
        "session",
        "sessionid",
        "sid",
        "cookie",
        "otp",
        "hash",
        "pass%77ord",
    ],
)
def test_a_credential_like_query_parameter_is_hidden(name: str) -> None:
    url = f"http://cam.local/video.cgi?channel=1&{name}={SECRET}&fps=5"
    assert redact_url(url) == f"http://cam.local/video.cgi?channel=1&{name}={REDACTED}&fps=5"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://cam/mjpg?loginuse=admin&loginpas=s3cr3t", f"http://cam/mjpg?loginuse=admin&loginpas={REDACTED}"),
        ("rtsp://cam:554/live;psw=s3cr3t;ch=2", f"rtsp://cam:554/live;psw={REDACTED};ch=2"),
        ("http://cam/x?pw=s3cr3t#frag", f"http://cam/x?pw={REDACTED}#frag"),
        ("http://cam/x?pw=", f"http://cam/x?pw={REDACTED}"),
        ("http://u:s3cr3t@cam/x?psw=s3cr3t", f"http://{REDACTED}@cam/x?psw={REDACTED}"),
    ],
)
def test_whole_urls(url: str, expected: str) -> None:
    assert redact_url(url) == expected
    assert SECRET not in redact_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://cam.local/video.cgi?channel=1&subtype=0&resolution=640x480&fps=5",
        "rtsp://10.0.0.5:554/Streaming/Channels/101?transportmode=unicast",
        "http://cam/mjpg?user=admin&stream=main",
        "/videos/loja-2024-05-01.mp4",
    ],
)
def test_other_parameters_stay(url: str) -> None:
    assert redact_url(url) == url
