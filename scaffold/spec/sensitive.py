"""Which names hold secrets: one definition for the generator and for ``scaffold check``."""

from __future__ import annotations

import re

_SENSITIVE_WORDS = frozenset({"password", "passwd", "secret", "token", "ssn", "pin", "apikey"})
_SENSITIVE_PAIRS = frozenset(
    {("api", "key"), ("private", "key"), ("access", "key"), ("credit", "card"), ("card", "number")}
)
# What may follow the sensitive word and still be the secret itself: password_hash,
# secret_key, credit_card_number. Anything else describes it (token_type,
# password_changed_at, api_key_id) and is not sensitive.
_SECRET_TAILS = frozenset(
    {"hash", "hashed", "digest", "salt", "encrypted", "enc", "ciphertext", "plain", "plaintext"}
    | {"raw", "value", "key", "number", "num", "no", "code", "pem"}
)


def name_parts(name: str) -> list[str]:
    """``accessToken`` and ``access_token`` both → ``['access', 'token']``."""
    snake = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()
    return [part for part in snake.split("_") if part]


def sensitive_name(name: str) -> bool:
    """True for names of secrets: ``password_hash``, ``accessToken``, ``api_key``.

    Names that describe a secret without holding it are not: ``token_type``,
    ``password_changed_at``, ``has_password``, ``api_key_id``.

    >>> [sensitive_name(n) for n in ("password_hash", "access_token", "token_type")]
    [True, True, False]
    """
    parts = name_parts(name)
    if not parts or parts[0] in {"has", "is"}:
        return False
    for i, part in enumerate(parts):
        ends = [i + 1] if part in _SENSITIVE_WORDS else []
        if i + 1 < len(parts) and (part, parts[i + 1]) in _SENSITIVE_PAIRS:
            ends.append(i + 2)
        if any(all(tail in _SECRET_TAILS for tail in parts[end:]) for end in ends):
            return True
    return False
