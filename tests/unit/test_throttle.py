"""Sign-in throttling and API rate limits on the in-memory storage (tests/integration/test_throttle_redis.py runs
them on Redis): who is blocked, for how long, and what clears a count."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from pydantic import ValidationError

from shopflow.config.settings import Settings
from shopflow.services.throttle import (
    ApiRateLimit,
    SignInThrottle,
    normalise_address,
    retry_after_header,
)

ADDRESS = "203.0.113.7"
WINDOW = 15 * 60


def fail(throttle: SignInThrottle, email: str, address: str = ADDRESS, times: int = 1) -> None:
    for _ in range(times):
        assert throttle.check(email, address) is None
        throttle.failed(email, address)


def test_the_sixth_attempt_after_five_failures_is_refused_before_any_password_check() -> None:
    throttle = SignInThrottle("5/15minutes", "20/15minutes")
    fail(throttle, "owner@shop.example", times=5)
    wait = throttle.check("owner@shop.example", ADDRESS)
    assert wait is not None and 0 < wait <= WINDOW
    # The same account, written differently and from another address, is the same account.
    assert throttle.check("  Owner@SHOP.example ", "198.51.100.1") is not None
    assert throttle.check("other@shop.example", ADDRESS) is None


def test_a_success_clears_the_accounts_failures() -> None:
    throttle = SignInThrottle("5/15minutes", "20/15minutes")
    fail(throttle, "owner@shop.example", times=4)
    assert throttle.check("owner@shop.example", ADDRESS) is None
    throttle.succeeded("owner@shop.example", ADDRESS)
    fail(throttle, "owner@shop.example", times=5)  # five fresh failures allowed again
    assert throttle.check("owner@shop.example", ADDRESS) is not None


def test_the_address_limit_holds_across_many_accounts_and_a_success_does_not_reset_it() -> None:
    throttle = SignInThrottle("5/15minutes", "20/15minutes")
    for index in range(19):
        fail(throttle, f"guess{index}@shop.example")
    assert throttle.check("mine@shop.example", ADDRESS) is None
    throttle.succeeded("mine@shop.example", ADDRESS)
    fail(throttle, "guess19@shop.example")
    wait = throttle.check("fresh@shop.example", ADDRESS)
    assert wait is not None and 0 < wait <= WINDOW
    assert throttle.check("fresh@shop.example", "198.51.100.1") is None  # other clients are not affected


def test_an_unknown_email_is_throttled_exactly_like_a_real_account() -> None:
    throttle = SignInThrottle("3/15minutes", "20/15minutes")
    answers = {}
    for email in ("owner@shop.example", "nobody-has-this@nowhere.example"):
        answers[email] = []
        for _ in range(5):
            wait = throttle.check(email, ADDRESS)
            answers[email].append(wait is None)
            if wait is None:
                throttle.failed(email, ADDRESS)
    assert answers["owner@shop.example"] == answers["nobody-has-this@nowhere.example"]
    assert answers["owner@shop.example"] == [True, True, True, False, False]


def test_guesses_sent_at_once_get_no_more_than_the_limit() -> None:
    throttle = SignInThrottle("5/15minutes", "1000/15minutes")
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda _: throttle.check("owner@shop.example", ADDRESS), range(50)))
    assert sum(answer is None for answer in answers) == 5


def test_an_ipv6_client_counts_by_its_64_block() -> None:
    throttle = SignInThrottle("100/15minutes", "2/15minutes")
    fail(throttle, "a@shop.example", "2001:db8:1:2::1")
    fail(throttle, "b@shop.example", "2001:db8:1:2:ffff::9")
    assert throttle.check("c@shop.example", "2001:db8:1:2::abcd") is not None
    assert throttle.check("c@shop.example", "2001:db8:1:3::1") is None


@pytest.mark.parametrize(
    ("address", "counted_as"),
    [
        ("203.0.113.7", "203.0.113.7"),
        (" 203.0.113.7 ", "203.0.113.7"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("2001:db8::1", "2001:db8::/64"),
        ("testclient", "testclient"),
        (None, ""),
    ],
)
def test_addresses_are_normalised(address: str | None, counted_as: str) -> None:
    assert normalise_address(address) == counted_as


def test_a_blocked_account_is_let_in_again_when_its_window_has_passed() -> None:
    throttle = SignInThrottle("2/1second", "20/15minutes")
    fail(throttle, "owner@shop.example", times=2)
    wait = throttle.check("owner@shop.example", ADDRESS)
    assert wait is not None and wait <= 1.0
    time.sleep(1.1)  # `limits` reads the wall clock and offers no clock to move; the window is kept to a second
    assert throttle.check("owner@shop.example", ADDRESS) is None


def test_api_calls_are_limited_per_caller() -> None:
    limit = ApiRateLimit("3/minute")
    assert [limit.hit("key-1") for _ in range(3)] == [None, None, None]
    wait = limit.hit("key-1")
    assert wait is not None and 0 < wait <= 60
    assert limit.hit("key-2") is None


@pytest.mark.parametrize(
    ("seconds", "header"), [(0.0, "1"), (0.2, "1"), (1.0, "1"), (1.01, "2"), (59.5, "60"), (899.0, "899")]
)
def test_retry_after_header_is_whole_seconds_rounded_up_and_at_least_one(seconds: float, header: str) -> None:
    assert retry_after_header(seconds) == header


def test_the_settings_defaults_build_both_limiters() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.redis_url == ""
    throttle, api = SignInThrottle.from_settings(settings), ApiRateLimit.from_settings(settings)
    assert throttle.check("owner@shop.example", ADDRESS) is None
    assert api.hit("key-1") is None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("sign_in_limit_per_account", "five a minute"),
        ("sign_in_limit_per_address", "0/minute"),
        ("api_rate_limit", "5/minute;100/hour"),
        ("redis_url", "http://127.0.0.1:6379"),
    ],
)
def test_a_bad_limit_or_redis_url_is_a_clear_settings_error(field: str, value: str) -> None:
    with pytest.raises(ValidationError, match=field):
        Settings(_env_file=None, **{field: value})  # type: ignore[call-arg]
