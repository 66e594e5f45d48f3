"""Rate limits on sign-in (failed attempts per account and per client address) and on API calls per caller.

Built on the `limits` library: its moving and sliding windows, and its memory and Redis storages. With REDIS_URL
set, every server process counts in the same Redis, so running several processes does not multiply the limits.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import math
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from limits import RateLimitItem, parse
from limits.errors import StorageError
from limits.storage import MemoryStorage, RedisStorage
from limits.strategies import MovingWindowRateLimiter, RateLimiter, SlidingWindowCounterRateLimiter

from shopflow.config.settings import Settings, check_rate_limit

log = logging.getLogger(__name__)
T = TypeVar("T")

KEY_PREFIX = "shopflow-limits"
# Seconds a process counts in its own memory after Redis failed, before it tries Redis again: a dead Redis then
# costs one connection timeout per interval, not one per request.
REDIS_RETRY_SECONDS = 30.0
REDIS_TIMEOUT_SECONDS = 0.5
MIN_RETRY_AFTER = 1.0  # Retry-After is whole seconds; a blocked caller is never told "0"


def retry_after_header(seconds: float) -> str:
    """The `Retry-After` value for a wait of `seconds`: whole seconds, rounded up, at least 1."""
    return str(max(1, math.ceil(seconds)))


def _digest(kind: str, value: str) -> str:
    # Keys hold a hash, never the e-mail or the address itself: these are personal data, and Redis key names show
    # up in monitoring tools; a hex digest also cannot contain the library's "/" key separator.
    return hashlib.sha256(f"{kind}\0{value}".encode()).hexdigest()[:32]


def normalise_email(email: str) -> str:
    return email.strip().lower()


def normalise_address(address: str | None) -> str:
    """The client address a limit counts against: IPv4 as is, IPv6 by its /64 (one subscriber's whole block, or
    an attacker would get 2**64 fresh addresses), an IPv4-mapped IPv6 as its IPv4; anything else verbatim."""
    text = (address or "").strip()
    try:
        parsed = ipaddress.ip_address(text)
    except ValueError:
        return text
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((parsed, 64), strict=False))
    return str(parsed)


class _Counter:
    """One `limits` strategy over Redis when configured, else over this process's memory.

    While Redis is unreachable the counts go to this process's memory instead (a warning logged once per outage,
    Redis tried again every REDIS_RETRY_SECONDS). Failing closed would make a Redis outage a sign-in outage for
    everyone; ignoring the limits would give an attacker unlimited guesses during one. Counting per process keeps
    the limits, only multiplied by the number of processes for the outage. `limits` offers no such fallback for
    its synchronous strategies (Flask-Limiter's lives in Flask-Limiter), hence this small class.
    """

    def __init__(self, strategy: type[RateLimiter], redis_url: str = "", key_prefix: str = KEY_PREFIX) -> None:
        self._memory = strategy(MemoryStorage())
        self._redis: RateLimiter | None = None
        if redis_url:
            # The client connects lazily, so an unreachable Redis never stops the server from starting.
            storage = RedisStorage(
                redis_url,
                key_prefix=key_prefix,
                wrap_exceptions=True,
                socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
                socket_timeout=REDIS_TIMEOUT_SECONDS,
            )
            self._redis = strategy(storage)
        self._lock = threading.Lock()
        self._redis_down_until = 0.0

    def _limiter(self) -> RateLimiter:
        if self._redis is None or time.monotonic() < self._redis_down_until:
            return self._memory
        return self._redis

    def _run(self, action: str, call: Callable[[RateLimiter], T]) -> T:
        limiter = self._limiter()
        if limiter is self._memory:
            return call(limiter)
        try:
            result = call(limiter)
        except StorageError as error:
            with self._lock:
                first = self._redis_down_until == 0.0
                self._redis_down_until = time.monotonic() + REDIS_RETRY_SECONDS
            if first:
                log.warning(
                    "rate limits: Redis unreachable (%s while %s); counting in this process's memory until it is back",
                    type(error.storage_error).__name__,
                    action,
                )
            return call(self._memory)
        if self._redis_down_until:
            with self._lock:
                self._redis_down_until = 0.0
            log.info("rate limits: Redis is reachable again; counts are shared between processes once more")
        return result

    def hit(self, item: RateLimitItem, *identifiers: str) -> bool:
        return self._run("counting", lambda limiter: limiter.hit(item, *identifiers))

    def test(self, item: RateLimitItem, *identifiers: str) -> bool:
        return self._run("checking", lambda limiter: limiter.test(item, *identifiers))

    def clear(self, item: RateLimitItem, *identifiers: str) -> None:
        self._run("clearing", lambda limiter: limiter.clear(item, *identifiers))

    def retry_after(self, item: RateLimitItem, *identifiers: str) -> float:
        """Seconds until `item` allows one more for `identifiers` (at least MIN_RETRY_AFTER)."""
        stats = self._run("reading", lambda limiter: limiter.get_window_stats(item, *identifiers))
        return max(stats.reset_time - time.time(), MIN_RETRY_AFTER)


class SignInThrottle:
    """Refuses sign-in attempts for a while after too many failures for one e-mail or from one client address.

    The protocol, per attempt: `check()` before the password is looked at; when it returns a number, answer 429
    with that Retry-After and check nothing; when it returns None, check the password, then call `failed()` or
    `succeeded()`. The throttle never knows whether an account exists, so unknown e-mails are throttled exactly
    like known ones and a 429 reveals nothing.

    `check()` already takes the account's slot (atomically, in Redis too), and `failed()` confirms it: otherwise
    fifty guesses sent at once would all pass `check()` before the first one failed. The per-address count is
    only read by `check()`, so it can overshoot by the attempts in flight at once; it is not taken up front
    because a success cannot give its slot back, and a shop's staff behind one address must not use it up by
    signing in.
    """

    def __init__(
        self,
        per_account: str = "5/15minutes",
        per_address: str = "20/15minutes",
        redis_url: str = "",
        key_prefix: str = KEY_PREFIX,
    ) -> None:
        self._account = parse(check_rate_limit(per_account))
        self._address = parse(check_rate_limit(per_address))
        self._counter = _Counter(MovingWindowRateLimiter, redis_url, key_prefix)

    @classmethod
    def from_settings(cls, settings: Settings) -> SignInThrottle:
        return cls(settings.sign_in_limit_per_account, settings.sign_in_limit_per_address, settings.redis_url)

    def _keys(self, email: str, address: str | None) -> tuple[tuple[str, str], tuple[str, str]]:
        account = ("sign-in-account", _digest("account", normalise_email(email)))
        client = ("sign-in-address", _digest("address", normalise_address(address)))
        return account, client

    def check(self, email: str, address: str | None) -> float | None:
        """None: go on and check the password. A number: refused; the seconds to wait (Retry-After)."""
        account, client = self._keys(email, address)
        if not self._counter.test(self._address, *client):
            return self._counter.retry_after(self._address, *client)
        if not self._counter.hit(self._account, *account):
            return self._counter.retry_after(self._account, *account)
        return None

    def failed(self, email: str, address: str | None) -> None:
        """The password was wrong (or the account unknown): the account's slot taken by check() stays taken."""
        _, client = self._keys(email, address)
        self._counter.hit(self._address, *client)

    def succeeded(self, email: str, address: str | None) -> None:
        """Signed in: forget the account's failures. The address's stay, or one valid account would let its
        holder reset the address count between guesses at other accounts."""
        account, _ = self._keys(email, address)
        self._counter.clear(self._account, *account)


class ApiRateLimit:
    """Requests per API key (or other caller id). A sliding window counter: two numbers per caller in Redis
    rather than one entry per request, close enough to exact for a limit of hundreds a minute."""

    def __init__(self, limit: str = "600/minute", redis_url: str = "", key_prefix: str = KEY_PREFIX) -> None:
        self._limit = parse(check_rate_limit(limit))
        self._counter = _Counter(SlidingWindowCounterRateLimiter, redis_url, key_prefix)

    @classmethod
    def from_settings(cls, settings: Settings) -> ApiRateLimit:
        return cls(settings.api_rate_limit, settings.redis_url)

    def hit(self, caller_id: str) -> float | None:
        """Count one request; None when allowed, else the seconds to wait (Retry-After)."""
        key = ("api", _digest("caller", caller_id))
        if self._counter.hit(self._limit, *key):
            return None
        return self._counter.retry_after(self._limit, *key)
