"""A sentence read as slots: which words name a table, which a field of it, which a number.

The work-list recognisers (``worklist.py``, ``answers.py``) read a whole sentence this
way: every word is either a table, a field of the one table named, a value, or a word the
recogniser allows; a word left over means the sentence is not that recogniser's, so
nothing is guessed.

>>> scan = Scan("make residents' emails unique", {"residents": ("name", "email")})
>>> scan.table, scan.fields, scan.rest()
('residents', ['email'], ['make', 'unique'])
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from scaffold.spec.inflect import pluralize, singularize


def words(text: str) -> frozenset[str]:
    """The whitespace-separated words of ``text``, as a set."""
    return frozenset(text.split())


_WORD = re.compile(r"[a-z0-9_][a-z0-9_.'/|-]*[a-z0-9_]|[a-z0-9_]|<=|>=|!=|==|<|>|=")
# Words any work-list sentence may carry without changing what it asks.
FILLER = words(
    """
    a an the of on in for to from at by with and is are be been it its their our all
    every each that this these those should must can could would will please we i us
    need needs want let's lets let so only also too field fields column columns value
    values table tables per new now just kindly pls hey ok okay then there which who
    whose api resource resources model models entity entities
    """
)


class Scan:
    """The words of ``sentence`` (lowercased) and what each names in ``existing``."""

    def __init__(self, sentence: str, existing: Mapping[str, Sequence[str]]) -> None:
        self.text = " ".join(sentence.lower().strip().rstrip(".!?").split())
        self.existing = existing
        self.words = [_plain(w) for w in _WORD.findall(self.text)]
        self.kinds: list[str] = [""] * len(self.words)
        self.tables: list[str] = []
        self._find_tables()
        self.table = self.tables[0] if len(set(self.tables)) == 1 else self._owner()
        self.fields: list[str] = []
        if self.table is not None:
            self._find_fields(self.table)

    def _owner(self) -> str | None:
        """Of several tables named, the one whose fields the others are ("shifts by
        block": block_id of shifts); the other words become words of fields again."""
        owners = [
            t
            for t in dict.fromkeys(self.tables)
            if all(
                field_named(self.existing[t], self.words[k]) is not None
                for k, kind in enumerate(self.kinds)
                if kind == "table" and self.lookup_table(self.words[k]) != t
            )
        ]
        if len(owners) != 1:
            return None
        for k, kind in enumerate(self.kinds):
            if kind == "table" and self.lookup_table(self.words[k]) != owners[0]:
                self.kinds[k] = ""
        return owners[0]

    def fresh(self) -> Scan:
        """A copy whose words are claimed as this one's were when it was read (each
        recogniser marks words of its own)."""
        copy = object.__new__(Scan)
        copy.__dict__.update(self.__dict__)
        copy.kinds = list(self.kinds)
        copy.fields = list(self.fields)
        return copy

    def has(self, *words: str) -> bool:
        return any(w in self.words for w in words)

    def phrase(self, pattern: str) -> re.Match[str] | None:
        return re.search(rf"(?<![a-z0-9_]){pattern}(?![a-z0-9_])", self.text)

    def mark(self, kind: str, allowed: frozenset[str] | set[str]) -> None:
        """Mark every unclaimed word in ``allowed`` as ``kind``."""
        for k, word in enumerate(self.words):
            if not self.kinds[k] and word in allowed:
                self.kinds[k] = kind

    def rest(self, allowed: frozenset[str] | set[str] = frozenset()) -> list[str]:
        """The words nothing claimed, minus filler and ``allowed``."""
        return [
            w
            for k, w in enumerate(self.words)
            if not self.kinds[k] and w not in FILLER and w not in allowed
        ]

    def numbers(self) -> list[str]:
        return [w for k, w in enumerate(self.words) if not self.kinds[k] and w.isdigit()]

    def _find_tables(self) -> None:
        k = 0
        while k < len(self.words):
            word = self.words[k]
            if "." in word:
                table, _, column = word.partition(".")
                found = self.lookup_table(table)
                if found is not None:
                    self.tables.append(found)
                    self.kinds[k] = "dotted"
                    k += 1
                    continue
            for n in (3, 2, 1):
                found = self.lookup_table("_".join(self.words[k : k + n]).replace("-", "_"))
                if found is not None and len(self.words[k : k + n]) == n:
                    self.tables.append(found)
                    for j in range(k, k + n):
                        self.kinds[j] = "table"
                    k += n
                    break
            else:
                k += 1

    def lookup_table(self, word: str) -> str | None:
        if not word or not re.fullmatch(r"[a-z][a-z0-9_]*", word):
            return None
        for candidate in (word, pluralize(word), singularize(word)):
            if candidate in self.existing:
                return candidate
        return None

    def _find_fields(self, table: str) -> None:
        names = tuple(self.existing[table])
        k = 0
        while k < len(self.words):
            word = self.words[k]
            if self.kinds[k] == "dotted":
                column = word.partition(".")[2]
                field = field_named(names, column)
                if field is not None:
                    self.fields.append(field)
                    self.kinds[k] = "field"
                else:
                    self.kinds[k] = ""  # "residents.nickname": not a field of it
                k += 1
                continue
            for n in (3, 2, 1):
                window = self.words[k : k + n]
                if len(window) < n or any(self.kinds[j] for j in range(k, k + n)):
                    continue
                field = field_named(names, "_".join(window).replace("-", "_"))
                if field is not None:
                    self.fields.append(field)
                    for j in range(k, k + n):
                        self.kinds[j] = "field"
                    k += n
                    break
            else:
                k += 1


def field_named(names: Sequence[str], word: str) -> str | None:
    """The field ``word`` names ("emails" is email, "starts at" is starts_at)."""
    for candidate in (word, singularize(word), f"{word}_id"):
        if candidate in names:
            return candidate
    return None


def _plain(word: str) -> str:
    """A word without its possessive: residents' → residents, resident's → resident."""
    if word.endswith("'s"):
        return word[:-2]
    return word.rstrip("'")
