"""Part of the support module with scaffold's sign-in (`scaffold auth`): its settings,
log lines and login limits. The project's own settings, logging and middleware are
left as they are. The module takes these imports and this code as they are.
"""

import logging
import secrets
import time
from functools import cache
from typing import NoReturn

from fastapi import Request
from limits import RateLimitItem, parse_many
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException

MIN_SECRET_LENGTH = 32


class AuthSettings(BaseSettings):
    """Sign-in settings, each from its upper-case environment variable (or `.env`).

    `SECRET_KEY` signs the access tokens: set it to a random value of at least 32
    characters in every deployed environment. Unset, each process signs with a random
    key of its own (its tokens stop working at a restart and on other workers), and a
    warning says so.
    """

    # A rejected value (a short SECRET_KEY, say) is never echoed into a log or traceback.
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", hide_input_in_errors=True
    )

    secret_key: SecretStr = Field(default_factory=lambda: SecretStr(secrets.token_urlsafe(48)))
    access_token_expire_minutes: int = Field(default=30, ge=1, le=24 * 60)
    registration_open: bool = True
    login_rate_limit: str = "5/minute"
    # Accounts one client address may create (each costs an Argon2 hash).
    registration_rate_limit: str = "10/hour"
    password_min_length: int = Field(default=8, ge=8, le=128)
    # Where login counters live: memory:// is per worker process; a shared store
    # (e.g. redis://localhost:6379, with the redis package installed) counts across workers.
    rate_limit_storage_uri: str = "memory://"

    @field_validator("secret_key")
    @classmethod
    def _strong_secret(cls, value: SecretStr) -> SecretStr:
        if len(value.get_secret_value()) < MIN_SECRET_LENGTH:
            raise ValueError(
                f"SECRET_KEY must be a random value of at least {MIN_SECRET_LENGTH} characters, "
                "e.g. the output of `python -c 'import secrets; print(secrets.token_urlsafe(48))'`"
            )
        return value

    @field_validator("login_rate_limit", "registration_rate_limit")
    @classmethod
    def _rate(cls, value: str) -> str:
        try:
            parse_many(value)
        except ValueError:
            raise ValueError("expected a rate like 5/minute or 10/hour") from None
        return value


@cache
def auth_settings() -> AuthSettings:
    """The sign-in settings, read once per process (`auth_settings.cache_clear()` rereads)."""
    settings = AuthSettings()
    if "secret_key" not in settings.model_fields_set:
        logging.getLogger(__name__).warning(
            "SECRET_KEY is not set: access tokens are signed with a random key of this process "
            "and stop working when it restarts"
        )
    return settings


class EventLogger:
    """`log.info("signed in", user_id=3)` through the standard library: `signed in user_id=3`."""

    def __init__(self, name: str) -> None:
        self._logger = logging.getLogger(name)

    def info(self, event: str, **fields: object) -> None:
        self._log(logging.INFO, event, fields)

    def warning(self, event: str, **fields: object) -> None:
        self._log(logging.WARNING, event, fields)

    def _log(self, level: int, event: str, fields: dict[str, object]) -> None:
        if self._logger.isEnabledFor(level):
            pairs = " ".join(f"{key}={value!r}" for key, value in fields.items())
            self._logger.log(level, "%s %s", event, pairs, stacklevel=3)


def get_logger(name: str) -> EventLogger:
    """The logger of module `name`: an event and its fields (ids only, never a secret)."""
    return EventLogger(name)


@cache
def _rate_limiter() -> MovingWindowRateLimiter:
    # A moving window: "5/minute" is at most 5 in any 60 seconds.
    return MovingWindowRateLimiter(storage_from_string(auth_settings().rate_limit_storage_uri))


def get_remote_address(request: Request) -> str:
    """The client's address as the server sees it (behind a proxy: run uvicorn with
    --proxy-headers so it is the client's, not the proxy's)."""
    return request.client.host if request.client else "unknown"


def hit(_request: Request, item: RateLimitItem, *key: str) -> None:
    """Count one attempt against `item` for `key`: 429 problem+json with `Retry-After`
    when it is over. Example: `hit(request, parse("5/minute"), "login", email)`."""
    if not _rate_limiter().hit(item, *key):
        _over(item, *key)


def refuse_if_over(_request: Request, item: RateLimitItem, *key: str) -> None:
    """429 when `key` has used up `item` already, without counting this request:
    count it afterwards with `hit` (sign-in counts only its failures)."""
    if not _rate_limiter().test(item, *key):
        _over(item, *key)


def _over(item: RateLimitItem, *key: str) -> NoReturn:
    reset, _remaining = _rate_limiter().get_window_stats(item, *key)
    retry_after = max(1, int(reset - time.time()) + 1)
    raise StarletteHTTPException(
        429, f"Too many requests: {item}.", headers={"Retry-After": str(retry_after)}
    )


def reset_rate_limits() -> None:
    """Forget every count (the generated tests start each sign-in test from zero)."""
    _rate_limiter().storage.reset()
