"""Password hashes and API keys: scrypt with a random salt, checks that never accept a wrong or malformed hash, and
the password policy (long, not common, not the e-mail, not easy to guess)."""

from __future__ import annotations

import base64
import hashlib

import pytest

from shopflow.config.credentials import (
    PasswordError,
    check_password_rules,
    hash_api_key,
    hash_password,
    new_api_key,
    password_needs_rehash,
    verify_password,
)

EMAIL = "dona.maria@loja.com.br"
TOO_SHORT = "choose a longer password: at least 10 characters"
COMMON = "this password is among the most common; choose another"
EMAIL_BASED = "the password must not contain your e-mail address or its name; choose another"
GUESSABLE = "this password is easy to guess; choose a longer one, such as a few unrelated words"


def test_a_hash_verifies_its_password_only_and_is_salted() -> None:
    first, second = hash_password("correct horse"), hash_password("correct horse")
    assert first != second  # a fresh salt each time
    assert first.startswith("scrypt$32768$8$3$")  # OWASP's N=2**15, r=8, p=3
    assert verify_password("correct horse", first) and verify_password("correct horse", second)
    assert not verify_password("correct horse!", first)
    assert not password_needs_rehash(first)


def test_a_hash_made_with_the_earlier_cost_still_verifies_and_asks_to_be_renewed() -> None:
    salt = b"0123456789abcdef"
    digest = hashlib.scrypt(b"correct horse", salt=salt, n=2**14, r=8, p=1, dklen=32)
    old = f"scrypt$16384$8$1${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"
    assert verify_password("correct horse", old)
    assert not verify_password("correct horse!", old)
    assert password_needs_rehash(old)
    assert password_needs_rehash("not a hash")


@pytest.mark.parametrize(
    "stored",
    ["", "plain-text", "pbkdf2$1$2$3$AAAA$AAAA", "scrypt$16384$8$1$not base64!$AAAA", "scrypt$x$8$1$AAAA$AAAA"],
)
def test_a_malformed_hash_matches_nothing(stored: str) -> None:
    assert not verify_password("anything", stored)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", TOO_SHORT),
        ("senha123", TOO_SHORT),
        ("x" * 1025, "the password may have at most 1024 characters"),
        ("password", TOO_SHORT),
        ("12345678", TOO_SHORT),
        ("qwertyuiop", COMMON),
        ("1234567890", COMMON),
        ("password123", COMMON),
        ("Password123", COMMON),  # the list is matched without regard to case
        ("iloveyou12", COMMON),
        ("shopflow2026", GUESSABLE),  # the product's name and a year
        ("Passw0rd!!", GUESSABLE),
        ("aaaaaaaaaaaa", GUESSABLE),
        ("senhasenha", GUESSABLE),
        ("a" * 100, GUESSABLE),  # judged by its first 72 characters
        (EMAIL, EMAIL_BASED),
        ("DONA.MARIA-2026!", EMAIL_BASED),
        ("minha-dona.maria", EMAIL_BASED),
    ],
)
def test_weak_passwords_are_refused_with_what_to_fix(password: str, message: str) -> None:
    with pytest.raises(PasswordError) as refused:
        check_password_rules(password, EMAIL)
    assert str(refused.value) == message


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery staple",
        "trocar-a-senha-da-loja-hoje",
        "senha-forte-123",  # the web tests' password
        "vqZ3-7hTt-Kp2m-Wx9e",
        "x7#" + "unrelated words make a long passphrase " * 20,  # long: only its start goes to zxcvbn
    ],
)
def test_long_unguessable_passwords_are_accepted(password: str) -> None:
    assert check_password_rules(password, EMAIL) == password
    assert check_password_rules(password) == password


def test_a_short_local_part_only_refuses_the_whole_email() -> None:
    assert check_password_rules("jo-prefere-cafe-forte", "jo@loja.com.br")
    with pytest.raises(PasswordError, match="e-mail"):
        check_password_rules("jo@loja.com.br", "jo@loja.com.br")


def test_hashing_applies_the_policy() -> None:
    with pytest.raises(PasswordError, match="most common"):
        hash_password("qwertyuiop")
    with pytest.raises(PasswordError, match="e-mail"):
        hash_password("dona.maria-2026!", EMAIL)


def test_api_keys_are_random_and_kept_as_a_hash_with_a_prefix() -> None:
    first, second = new_api_key(), new_api_key()
    assert first.key != second.key
    assert first.key.startswith("sf_") and len(first.key) >= 40
    assert first.prefix == first.key[:10]
    assert first.key_hash == hash_api_key(first.key) != hash_api_key(second.key)
    assert first.key not in first.key_hash
