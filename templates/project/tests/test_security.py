"""Passwords are stored as salted Argon2id hashes; access tokens are signed and expire."""

import datetime as dt

import pytest
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from app.core.config import get_settings
from app.core.security import (
    InvalidTokenError,
    create_access_token,
    hash_secret,
    password_hasher,
    read_access_token,
    verify_and_rehash,
    verify_secret,
)


async def test_hash_is_salted_and_verifies() -> None:
    first = await hash_secret("correct horse")
    second = await hash_secret("correct horse")
    assert first != second
    assert first.startswith("$argon2id$")
    assert "correct horse" not in first
    assert await verify_secret("correct horse", first)
    assert not await verify_secret("wrong horse", first)
    assert not await verify_secret("correct horse", "not-a-hash")


async def test_a_hash_with_older_parameters_verifies_and_gets_a_replacement() -> None:
    old = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=8192),)).hash("correct horse")
    valid, replacement = await verify_and_rehash("correct horse", old)
    assert valid
    assert replacement is not None
    assert replacement != old
    assert await verify_secret("correct horse", replacement)
    assert await verify_and_rehash("correct horse", replacement) == (True, None)


def test_only_the_test_suite_hashes_below_the_recommended_cost() -> None:
    recommended = PasswordHash.recommended().hash("x").rsplit("$", 2)[0]
    for environment in ("dev", "prod", None):
        assert password_hasher(environment).hash("x").rsplit("$", 2)[0] == recommended
    assert password_hasher("test").hash("x").rsplit("$", 2)[0] != recommended


async def test_no_stored_hash_never_verifies() -> None:
    assert await verify_and_rehash("anything", None) == (False, None)


def test_an_access_token_names_its_subject() -> None:
    settings = get_settings()
    assert read_access_token(create_access_token("42", settings), settings) == "42"


def test_an_expired_or_tampered_token_is_refused() -> None:
    settings = get_settings()
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    with pytest.raises(InvalidTokenError):
        read_access_token(create_access_token("42", settings, now=long_ago), settings)
    head, _, signature = create_access_token("42", settings).split(".")
    _, forged_body, _ = create_access_token("1", settings).split(".")
    tampered = f"{head}.{forged_body}.{signature}"  # another subject under 42's signature
    with pytest.raises(InvalidTokenError):
        read_access_token(tampered, settings)
    other = settings.model_copy(update={"secret_key": type(settings.secret_key)("x" * 40)})
    with pytest.raises(InvalidTokenError):
        read_access_token(create_access_token("42", other), settings)
