"""Rate limits shared through the real Redis at 127.0.0.1:6379 (each test under its own key prefix, removed
after): several server processes see one count, and a Redis that is down leaves the limits in force."""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Iterator

import pytest
import redis

from shopflow.services.throttle import ApiRateLimit, SignInThrottle

REDIS_URL_ENV = "SHOPFLOW_TEST_REDIS_URL"
REDIS_URL = os.environ.get(REDIS_URL_ENV, "redis://127.0.0.1:6379/0")
DOWN_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1: connection refused at once
ADDRESS = "203.0.113.7"


@pytest.fixture
def prefix() -> Iterator[str]:
    """A key prefix of this test's own; its keys are deleted afterwards. Fails (not skips) without Redis."""
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.fail(f"Redis is not reachable at {REDIS_URL} ({error}); start it or set {REDIS_URL_ENV}")
    name = f"shopflow-test-{secrets.token_hex(6)}"
    yield name
    keys = list(client.scan_iter(f"{name}:*"))
    if keys:
        client.delete(*keys)
    client.close()


def keys_under(prefix: str) -> list[str]:
    client = redis.Redis.from_url(REDIS_URL, decode_responses=True)
    try:
        return list(client.scan_iter(f"{prefix}:*"))
    finally:
        client.close()


def test_two_processes_sharing_redis_count_each_others_failures(prefix: str) -> None:
    first = SignInThrottle("5/15minutes", "20/15minutes", redis_url=REDIS_URL, key_prefix=prefix)
    second = SignInThrottle("5/15minutes", "20/15minutes", redis_url=REDIS_URL, key_prefix=prefix)
    for throttle in (first, second, first, second, first):
        assert throttle.check("owner@shop.example", ADDRESS) is None
        throttle.failed("owner@shop.example", ADDRESS)
    wait = second.check("Owner@shop.example", ADDRESS)
    assert wait is not None and 0 < wait <= 15 * 60
    # Neither the e-mail nor the address is written into Redis in clear.
    stored = " ".join(keys_under(prefix))
    assert stored and "owner" not in stored.lower() and ADDRESS not in stored


def test_a_success_in_one_process_clears_the_account_in_the_other(prefix: str) -> None:
    first = SignInThrottle("2/15minutes", "20/15minutes", redis_url=REDIS_URL, key_prefix=prefix)
    second = SignInThrottle("2/15minutes", "20/15minutes", redis_url=REDIS_URL, key_prefix=prefix)
    assert first.check("owner@shop.example", ADDRESS) is None
    first.failed("owner@shop.example", ADDRESS)
    assert second.check("owner@shop.example", ADDRESS) is None
    second.succeeded("owner@shop.example", ADDRESS)
    for _ in range(2):
        assert first.check("owner@shop.example", ADDRESS) is None
        first.failed("owner@shop.example", ADDRESS)
    assert second.check("owner@shop.example", ADDRESS) is not None


def test_api_limits_are_shared_between_processes(prefix: str) -> None:
    first = ApiRateLimit("4/minute", redis_url=REDIS_URL, key_prefix=prefix)
    second = ApiRateLimit("4/minute", redis_url=REDIS_URL, key_prefix=prefix)
    assert [limiter.hit("key-1") for limiter in (first, second, first, second)] == [None] * 4
    wait = first.hit("key-1")
    assert wait is not None and 0 < wait <= 60
    assert second.hit("key-2") is None


def test_an_unreachable_redis_falls_back_to_memory_with_one_warning(caplog: pytest.LogCaptureFixture) -> None:
    throttle = SignInThrottle("3/15minutes", "20/15minutes", redis_url=DOWN_URL)
    with caplog.at_level(logging.WARNING, logger="shopflow.services.throttle"):
        for _ in range(3):
            assert throttle.check("owner@shop.example", ADDRESS) is None
            throttle.failed("owner@shop.example", ADDRESS)
        assert throttle.check("owner@shop.example", ADDRESS) is not None  # still limited, in this process
        assert ApiRateLimit("1/minute", redis_url=DOWN_URL).hit("key-1") is None
    warnings = [record for record in caplog.records if record.name == "shopflow.services.throttle"]
    assert len(warnings) == 2  # one per limiter, not one per call
    assert all("Redis unreachable" in record.getMessage() for record in warnings)
