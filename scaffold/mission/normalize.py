"""Fold a sentence to plain lowercase ASCII-ish text for keyword matching only.

Escalation keywords ("password", "token", ...) must be found however they are
disguised: any case, line breaks, invisible characters (zero-width space,
joiners, word joiner, BOM, soft hyphen), fullwidth forms and look-alike letters
from other scripts (Cyrillic "р" for "p"). The folded text is never used to
build names: the parser takes names from the original sentence, and only if
they are plain ASCII.
"""

from __future__ import annotations

import re
import unicodedata

# Cyrillic, Greek, Armenian and Latin letters that render like a Latin letter.
# Keys are the lowercase forms: matching happens after casefold().
_HOMOGLYPHS = str.maketrans(
    {
        # Cyrillic
        "а": "a", "в": "b", "г": "r", "е": "e", "ё": "e", "і": "i", "ї": "i",
        "ј": "j", "к": "k", "м": "m", "н": "h", "о": "o", "п": "n", "р": "p", "с": "c",
        "т": "t", "у": "y", "х": "x", "ѕ": "s", "ԁ": "d", "ԛ": "q", "ԝ": "w", "ѡ": "w",
        "һ": "h", "ӏ": "l", "ь": "b", "ү": "y", "ғ": "f",
        # Greek
        "α": "a", "β": "b", "γ": "y", "ε": "e", "ζ": "z", "η": "n", "ι": "i", "κ": "k",
        "μ": "u", "ν": "v", "ο": "o", "ρ": "p", "σ": "o", "ς": "c", "τ": "t", "υ": "u",
        "χ": "x", "ω": "w",
        # Armenian
        "օ": "o", "ս": "u", "հ": "h", "ո": "n", "ց": "g", "զ": "q",
        # Latin letters NFKD does not decompose
        "ı": "i", "ȷ": "j", "ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ŧ": "t", "ɑ": "a",
        "ɡ": "g", "ʀ": "r", "ᴀ": "a", "ʙ": "b", "ᴄ": "c", "ᴅ": "d", "ᴇ": "e", "ɪ": "i",
        "ᴋ": "k", "ʟ": "l", "ᴍ": "m", "ɴ": "n", "ᴏ": "o", "ᴘ": "p", "ꜱ": "s", "ᴛ": "t",
        "ᴜ": "u", "ᴡ": "w", "ʏ": "y", "ᴢ": "z",
    }
)  # fmt: skip
# A word hyphenated across a line break: "pass-\nword".
_LINE_HYPHEN = re.compile(r"-[ \t]*(?:\r\n|\r|\n|\u2028|\u2029)\s*")


def normalize_for_matching(text: str) -> str:
    """Fold ``text`` for keyword matching: NFKC, no invisible characters, casefolded,
    accents and look-alike letters mapped to ASCII, whitespace collapsed to one space.

    >>> normalize_for_matching("Add ＰＡＳＳ\\u200bword and\\nрassword")
    'add password and password'
    """
    text = unicodedata.normalize("NFKC", text)
    # Category Cf covers zero-width space/joiners, word joiner, BOM, soft hyphen, bidi marks.
    text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    text = _LINE_HYPHEN.sub("", text).casefold()
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = unicodedata.normalize("NFC", text.translate(_HOMOGLYPHS))
    return " ".join(text.split())


def is_plain(text: str) -> bool:
    """True if ``text`` is printable ASCII (no control, invisible or look-alike characters).

    >>> is_plain("weekly_requirements"), is_plain("cоntacts")
    (True, False)
    """
    return all(" " <= c <= "~" for c in text)


def describe_char(char: str) -> str:
    """Name a character for an error message.

    >>> describe_char("\\u200b")
    'U+200B ZERO WIDTH SPACE'
    """
    name = unicodedata.name(char, "") or f"category {unicodedata.category(char)}"
    return f"U+{ord(char):04X} {name}"


def first_unplain(text: str) -> str | None:
    """Return the first character of ``text`` that is not printable ASCII, if any.

    >>> first_unplain("con\\u00adtacts")
    '\\xad'
    """
    return next((c for c in text if not " " <= c <= "~"), None)
