"""Password hashing with the standard library's scrypt, off the event loop.

Generated services hash every field named like a password before storing it:
`await hash_secret("hunter2")` → `"scrypt$16384$8$1$<salt>$<hash>"`.
"""

import asyncio
import base64
import hashlib
import hmac
import os

_N, _R, _P = 2**14, 8, 1


def _hash(secret: str, salt: bytes) -> bytes:
    return hashlib.scrypt(secret.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)


def _encode(secret: str) -> str:
    salt = os.urandom(16)
    digest = _hash(secret, salt)
    b64 = base64.urlsafe_b64encode
    return f"scrypt${_N}${_R}${_P}${b64(salt).decode()}${b64(digest).decode()}"


async def hash_secret(secret: str) -> str:
    """The stored form of a password (scrypt, random salt); CPU work runs in a thread."""
    return await asyncio.to_thread(_encode, secret)


async def verify_secret(secret: str, stored: str) -> bool:
    """True when `secret` matches a value made by `hash_secret`."""
    try:
        _, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if (int(n), int(r), int(p)) != (_N, _R, _P):
        return False
    salt_bytes = base64.urlsafe_b64decode(salt)
    computed = await asyncio.to_thread(_hash, secret, salt_bytes)
    return hmac.compare_digest(computed, base64.urlsafe_b64decode(digest))
