"""A short string that matches a regular expression: the sample of a ``pattern=`` field."""

from __future__ import annotations

import re


def regex_sample(pattern: str) -> str | None:
    """A short string matching ``pattern`` (literals, classes, repeats, groups), or None.

    >>> regex_sample("^[A-Z]{3}-[0-9]+$")
    'AAA-0'
    """
    try:
        from re import _parser as sre_parse  # type: ignore[attr-defined]
    except ImportError:  # pragma: no cover - Python < 3.11
        import sre_parse  # type: ignore[no-redef]
    try:
        text = _emit(sre_parse.parse(pattern), sre_parse)
    except (ValueError, re.error):
        return None
    if text is None or not re.fullmatch(pattern, text):
        return None
    return text


def regex_other(pattern: str) -> str | None:
    """A string matching ``pattern`` other than ``regex_sample``'s, as long (one character
    changed), or None.

    >>> regex_other("^[A-Z]{3}-[0-9]{2}$")
    'BAA-00'
    """
    sample = regex_sample(pattern)
    if sample is None:
        return None
    for i, char in enumerate(sample):
        for other in "BbC1c2Dd3_-. ":
            if other == char:
                continue
            text = sample[:i] + other + sample[i + 1 :]
            if re.fullmatch(pattern, text):
                return text
    return None


def _emit(items, sre) -> str | None:  # noqa: C901 - one branch per regex node kind
    out = []
    for op, arg in items:
        name = str(op)
        if name == "LITERAL":
            out.append(chr(arg))
        elif name == "ANY":
            out.append("a")
        elif name == "NOT_LITERAL":
            out.append("a" if chr(arg) != "a" else "b")
        elif name == "IN":
            char = _pick_in(arg)
            if char is None:
                return None
            out.append(char)
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, _high, sub = arg
            piece = _emit(sub, sre)
            if piece is None:
                return None
            out.append(piece * low)
        elif name == "SUBPATTERN":
            piece = _emit(arg[-1], sre)
            if piece is None:
                return None
            out.append(piece)
        elif name == "BRANCH":
            piece = _emit(arg[1][0], sre)
            if piece is None:
                return None
            out.append(piece)
        elif name == "AT":
            continue
        elif name == "CATEGORY":
            out.append(_CATEGORY.get(str(arg)))
            if out[-1] is None:
                return None
        else:
            return None
    return "".join(out)


_CATEGORY = {
    "CATEGORY_DIGIT": "0",
    "CATEGORY_WORD": "a",
    "CATEGORY_SPACE": " ",
    "CATEGORY_NOT_DIGIT": "a",
    "CATEGORY_NOT_SPACE": "a",
    "CATEGORY_NOT_WORD": "-",
}


def _pick_in(items) -> str | None:
    if items and str(items[0][0]) == "NEGATE":
        return None
    for op, arg in items:
        name = str(op)
        if name == "LITERAL":
            return chr(arg)
        if name == "RANGE":
            return chr(arg[0])
        if name == "CATEGORY":
            return _CATEGORY.get(str(arg))
    return None
