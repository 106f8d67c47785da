"""Passwords are stored as salted scrypt hashes and verified in constant time."""

from app.core.security import hash_secret, verify_secret


async def test_hash_is_salted_and_verifies() -> None:
    first = await hash_secret("correct horse")
    second = await hash_secret("correct horse")
    assert first != second
    assert first.startswith("scrypt$") and "correct horse" not in first
    assert await verify_secret("correct horse", first)
    assert not await verify_secret("wrong horse", first)
    assert not await verify_secret("correct horse", "not-a-hash")
