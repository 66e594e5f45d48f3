"""Password hashes (scrypt, from the standard library) and API keys for bridges (shown once, kept as a hash)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

# scrypt's cost: N=2**14, r=8, p=1 is the RFC 7914 interactive setting (about 16 MiB and 50 ms a check).
SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
HASH_BYTES = 32
SCHEME = "scrypt"
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024  # a megabyte "password" would only cost us CPU

API_KEY_PREFIX = "sf_"
API_KEY_SHOWN_PREFIX = 10  # characters of the key kept in clear, so a person can tell keys apart


class PasswordError(ValueError):
    """A password that cannot be accepted; the message says why."""


def check_password_rules(password: str, *, email: str | None = None) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordError(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise PasswordError(f"the password may have at most {MAX_PASSWORD_LENGTH} characters")
    return password


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, length: int) -> bytes:
    # scrypt needs 128 * N * r bytes; room for twice that lets a hash made with a higher cost still verify.
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=length, maxmem=256 * n * r + 1024 * 1024
    )


def hash_password(password: str) -> str:
    """`scrypt$N$r$p$salt$hash` (base64 parts) with a fresh random salt; the cost travels with the hash."""
    check_password_rules(password)
    salt = secrets.token_bytes(SALT_BYTES)
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P, HASH_BYTES)
    return f"{SCHEME}${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """True when `password` matches the stored hash; a malformed hash matches nothing."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != SCHEME:
            return False
        expected = base64.b64decode(digest, validate=True)
        actual = _scrypt(
            password[:MAX_PASSWORD_LENGTH], base64.b64decode(salt, validate=True), int(n), int(r), int(p), len(expected)
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


@dataclass(frozen=True, slots=True)
class NewApiKey:
    key: str  # shown to the person once, never stored
    prefix: str  # stored in clear, to tell keys apart in a list
    key_hash: str  # stored


def hash_api_key(key: str) -> str:
    """SHA-256 of the key: a random 256-bit key needs no slow hash, and the hash can be looked up directly."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def new_api_key() -> NewApiKey:
    key = API_KEY_PREFIX + secrets.token_urlsafe(32)
    return NewApiKey(key=key, prefix=key[:API_KEY_SHOWN_PREFIX], key_hash=hash_api_key(key))
