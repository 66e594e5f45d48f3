"""Password hashes and API keys: scrypt with a random salt, checks that never accept a wrong or malformed hash."""

from __future__ import annotations

import pytest

from shopflow.config.credentials import (
    PasswordError,
    check_password_rules,
    hash_api_key,
    hash_password,
    new_api_key,
    verify_password,
)


def test_a_hash_verifies_its_password_only_and_is_salted() -> None:
    first, second = hash_password("correct horse"), hash_password("correct horse")
    assert first != second  # a fresh salt each time
    assert first.startswith("scrypt$16384$8$1$")
    assert verify_password("correct horse", first) and verify_password("correct horse", second)
    assert not verify_password("correct horse!", first)


@pytest.mark.parametrize(
    "stored",
    ["", "plain-text", "pbkdf2$1$2$3$AAAA$AAAA", "scrypt$16384$8$1$not base64!$AAAA", "scrypt$x$8$1$AAAA$AAAA"],
)
def test_a_malformed_hash_matches_nothing(stored: str) -> None:
    assert not verify_password("anything", stored)


@pytest.mark.parametrize(("password", "message"), [("short", "at least 8"), ("x" * 1025, "at most 1024")])
def test_password_rules(password: str, message: str) -> None:
    with pytest.raises(PasswordError, match=message):
        check_password_rules(password)


def test_api_keys_are_random_and_kept_as_a_hash_with_a_prefix() -> None:
    first, second = new_api_key(), new_api_key()
    assert first.key != second.key
    assert first.key.startswith("sf_") and len(first.key) >= 40
    assert first.prefix == first.key[:10]
    assert first.key_hash == hash_api_key(first.key) != hash_api_key(second.key)
    assert first.key not in first.key_hash
