"""Password hashes (scrypt, from the standard library) and API keys for bridges (shown once, kept as a hash)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from zxcvbn import zxcvbn
from zxcvbn.matching import RANKED_DICTIONARIES

from shopflow.domain.problems import InputError

# scrypt's cost: N=2**15, r=8, p=3, one of the settings OWASP's Password Storage Cheat Sheet gives as equal to its
# minimum N=2**17, r=8, p=1 (the CPU work is about the same). It takes 32 MiB a check rather than 128 MiB: anyone
# can make the server check a password, and on a small store server forty checks at once must not need 5 GiB.
# About 0.3 s a check on one core. Hashes made with the earlier N=2**14, r=8, p=1 still verify (each hash carries
# its cost) and `password_needs_rehash` tells when to store a new one at the next sign-in.
SCRYPT_N = 2**15
SCRYPT_R = 8
SCRYPT_P = 3
SALT_BYTES = 16
HASH_BYTES = 32
SCHEME = "scrypt"
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024  # a megabyte "password" would only cost us CPU
# zxcvbn's estimate: 2 means "somewhat guessable", about 10**8 guesses, out of reach online behind the sign-in
# rate limit; 0 and 1 fall to a guess list within it.
MIN_PASSWORD_SCORE = 2
# zxcvbn refuses longer input (its matching grows fast with length); a longer password is judged by its start.
ZXCVBN_MAX_LENGTH = 72
# Predictable words for this server beside the person's own e-mail: zxcvbn counts them as easy guesses.
PRODUCT_WORDS = ("shopflow",)
_EMAIL_PIECES = re.compile(r"[^\w]+|_")

API_KEY_PREFIX = "sf_"
API_KEY_SHOWN_PREFIX = 10  # characters of the key kept in clear, so a person can tell keys apart


class PasswordError(InputError):
    """A password that cannot be accepted; the message says why."""


def _email_words(email: str) -> list[str]:
    """The e-mail, its local part and the pieces of both (`maria.silva@loja.com.br` → maria, silva, loja, …)."""
    email = email.strip().lower()
    local = email.partition("@")[0]
    pieces = [piece for piece in _EMAIL_PIECES.split(email) if len(piece) >= 3]
    return [word for word in dict.fromkeys([email, local, *pieces]) if word]


def check_password_rules(password: str, email: str | None = None) -> str:
    """The password when it may be used (by the person with `email`, when given); else PasswordError saying what
    to fix. Long, not among the most common, not built on the e-mail, and not easy to guess by zxcvbn's estimate."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordError(
            f"choose a longer password: at least {MIN_PASSWORD_LENGTH} characters",
            "password_too_short",
            min=MIN_PASSWORD_LENGTH,
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise PasswordError(
            f"the password may have at most {MAX_PASSWORD_LENGTH} characters",
            "password_too_long",
            max=MAX_PASSWORD_LENGTH,
        )
    lowered = password.lower()
    if lowered in RANKED_DICTIONARIES["passwords"]:
        raise PasswordError("this password is among the most common; choose another", "password_common")
    words = _email_words(email) if email else []
    local = words[1] if len(words) > 1 else ""
    # A local part of one or two letters would refuse half of all passwords; zxcvbn still weighs it below.
    if email and (lowered == email.strip().lower() or (len(local) >= 3 and local in lowered)):
        raise PasswordError(
            "the password must not contain your e-mail address or its name; choose another", "password_has_email"
        )
    estimate = zxcvbn(password[:ZXCVBN_MAX_LENGTH], user_inputs=[*words, *PRODUCT_WORDS])
    if estimate["score"] < MIN_PASSWORD_SCORE:
        raise PasswordError(
            "this password is easy to guess; choose a longer one, such as a few unrelated words", "password_guessable"
        )
    return password


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, length: int) -> bytes:
    # scrypt needs 128 * N * r bytes; room for twice that lets a hash made with a higher cost still verify.
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=length, maxmem=256 * n * r + 1024 * 1024
    )


def hash_password(password: str, email: str | None = None, *, check: bool = True) -> str:
    """`scrypt$N$r$p$salt$hash` (base64 parts) with a fresh random salt; the cost travels with the hash.

    PasswordError for a password `check_password_rules` refuses (give `email` to check it against it too).
    `check=False` only re-hashes a password already in use (at a new cost) or a decoy."""
    if check:
        check_password_rules(password, email)
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


def password_needs_rehash(stored: str) -> bool:
    """True when a stored hash was made with another cost than today's: after a successful sign-in, store
    `hash_password(password)` in its place."""
    parts = stored.split("$")
    return len(parts) != 6 or parts[:4] != [SCHEME, str(SCRYPT_N), str(SCRYPT_R), str(SCRYPT_P)]


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
