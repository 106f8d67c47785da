"""One logging configuration: JSON lines in production, readable lines in development.

Every line carries the request id of the request it was logged in. Standard-library
loggers (uvicorn, SQLAlchemy, the app's) go through the same structlog processors.
Values of keys named like secrets are replaced before a line is written, and the
engine hides SQL parameters (`hide_parameters`), so a password never reaches a log.
"""

import logging
import re
from typing import Any

import structlog
from asgi_correlation_id import correlation_id
from structlog.types import EventDict, Processor

from app.core.config import Settings

_SECRET = re.compile(
    r"pass(word|wd)?|secret|token|api_?key|authorization|cookie|ssn|credit_?card",
    re.IGNORECASE,
)
REDACTED = "[redacted]"
_HANDLER = "app"


def _request_id(_logger: Any, _method: str, event: EventDict) -> EventDict:
    request_id = correlation_id.get()
    if request_id is not None:
        event.setdefault("request_id", request_id)
    return event


def _redact(_logger: Any, _method: str, event: EventDict) -> EventDict:
    for key in list(event):
        if key != "event" and _SECRET.search(key):
            event[key] = REDACTED
    return event


def configure_logging(settings: Settings) -> None:
    """Send every log record, structlog's and the standard library's, to stderr."""
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _request_id,
        _redact,
    ]
    renderer: Processor = (
        structlog.processors.JSONRenderer()
        if settings.log_renderer == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler()
    handler.set_name(_HANDLER)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                renderer,
            ],
        )
    )
    root = logging.getLogger()
    # Replace the handler an earlier call installed, and only that one (a test runner's
    # capture handlers stay).
    for old in [h for h in root.handlers if h.get_name() == _HANDLER]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(settings.log_level)
    # uvicorn's own handlers would print a second, differently formatted copy; its
    # access log is replaced by the app's one line per request.
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").disabled = True
    # At DEBUG the database drivers log each statement's parameters (password hashes
    # among them): they never log below INFO.
    quiet = max(logging.getLevelName(settings.log_level), logging.INFO)
    for name in ("aiosqlite", "asyncpg"):
        logging.getLogger(name).setLevel(quiet)


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    """A structured logger: `get_logger(__name__).info("resident created", id=3)`."""
    logger: structlog.stdlib.BoundLogger = structlog.stdlib.get_logger(name)
    return logger
