"""A per-resource rate limit as the user wrote it: ``100/minute``, ``5/second``, ``1000/hour``.

>>> parse_rate("100/minute")
'100/minute'
>>> parse_rate("100 per Minute")
'100/minute'
"""

from __future__ import annotations

import re

from scaffold.errors import InputError

PERIODS = ("second", "minute", "hour", "day")
_RATE = re.compile(r"\s*(\d{1,7})\s*(?:/|per|a|an)\s*(second|minute|hour|day)s?\s*", re.I)
RATE_EXAMPLE = "scaffold limit residents 100/minute"


def parse_rate(text: str, *, example: str = RATE_EXAMPLE) -> str:
    """The canonical ``N/PERIOD`` of ``text``; exit 2 (InputError) naming it otherwise."""
    match = _RATE.fullmatch(text)
    if match is None or int(match.group(1)) < 1:
        raise InputError(
            f"{text!r} is not a rate: write REQUESTS/PERIOD, a whole number of at least 1 "
            f"per {', '.join(PERIODS[:-1])} or {PERIODS[-1]}.",
            token=text,
            example=example,
        )
    return f"{int(match.group(1))}/{match.group(2).lower()}"
