"""English inflection for snake_case identifiers, in the manner of Rails' ActiveSupport.

Only the last underscore-separated part of a name is inflected
(``weekly_requirement`` -> ``weekly_requirements``). Words are checked against
uncountables, then irregulars, then ordered regex rules where the first match
wins. The rules are narrower than Rails' where Rails mangles common table names
(``drives`` -> ``drife``, ``caches`` -> ``cach``, ``premium`` -> ``premia``);
``index`` pluralizes to ``indexes`` as in database usage (``indices`` still
singularizes to ``index``).
"""

from __future__ import annotations

import re

UNCOUNTABLE = frozenset(
    [
        "equipment",
        "information",
        "rice",
        "money",
        "species",
        "series",
        "fish",
        "sheep",
        "deer",
        "moose",
        "bison",
        "salmon",
        "trout",
        "aircraft",
        "offspring",
        "jeans",
        "police",
        "news",
        "feedback",
        "metadata",
        "staff",
        "software",
        "hardware",
        "firmware",
        "furniture",
        "luggage",
        "baggage",
        "traffic",
        "research",
        "advice",
        "evidence",
        "knowledge",
        "personnel",
        "weather",
        "homework",
        "music",
    ]
)

# (singular, plural). Whole-word unless the singular is in _SUFFIX_IRREGULAR.
_IRREGULAR = (
    ("person", "people"),
    ("woman", "women"),
    ("man", "men"),
    ("child", "children"),
    ("mouse", "mice"),
    ("louse", "lice"),
    ("ox", "oxen"),
    ("goose", "geese"),
    ("foot", "feet"),
    ("tooth", "teeth"),
    ("criterion", "criteria"),
    ("phenomenon", "phenomena"),
    ("cactus", "cacti"),
    ("fungus", "fungi"),
    ("nucleus", "nuclei"),
    ("radius", "radii"),
    ("stimulus", "stimuli"),
    ("alumnus", "alumni"),
    ("corpus", "corpora"),
    ("genus", "genera"),
)
# "salesperson", "grandchild", "chairwoman" inflect like their last word.
_SUFFIX_IRREGULAR = frozenset({"person", "woman", "child"})
# "man" only in known compounds: "human", "german" and "specimen" are not irregular.
_MAN_COMPOUND = re.compile(
    r"^(chair|sales|fire|police|fore|crafts|spokes|business|gentle|sports|work|post|"
    r"middle|repair|camera|door|hench|journey|sea|states|country|lines|clergy|)m[ae]n$"
)

# Words ending in -s (or -as/-us/-is) that take -es: "status" -> "statuses".
_ES_WORDS = (
    r"(alias|atlas|canvas|bias|^gas|status|(?:^|omni|mini)bus|campus|bonus|census|virus|"
    r"circus|focus|surplus|prospectus|syllabus|apparatus|chorus|sinus|lotus|thesaurus|"
    r"abacus|consensus|nexus|onus|walrus|hiatus|impetus|octopus|platypus|exodus|stylus|"
    r"fetus|iris|lens)"
)
_F_TO_VES = r"(hal|wol|shel|sel|cal|lea|loa|thie|shea)"
_FE_TO_VES = r"(kni|wi|(?<!o)li)"
_UM_TO_A = r"(dat|medi|bacteri|strat|curricul|memorand)"
_O_TO_OES = r"(buffal|tomat|potat|her|ech|vet|torped)"
_SIS = r"(analy|^ba|diagno|parenthe|progno|synop|the|cri|oa|ellip|paraly|empha)"
# Plurals in -ies/-ches whose singular keeps the "e": "movies", "caches".
_IE_WORDS = (
    r"(movie|cookie|zombie|rookie|calorie|brownie|selfie|hoodie|freebie|goalie|prairie|"
    r"genie|newbie|sortie|auntie|smoothie|hippie|necktie|^pie|^tie|^lie)"
)
_CHE_WORDS = (
    r"(^ache|headache|backache|toothache|cache|niche|avalanche|mustache|moustache|cliche|"
    r"quiche|creche|microfiche|psyche)"
)


def _rules(pairs: tuple[tuple[str, str], ...]) -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(pattern, re.IGNORECASE), repl) for pattern, repl in pairs)


_PLURAL_RULES = _rules(
    (
        (r"(qui)z$", r"\1zzes"),
        (r"^(a)xis$", r"\1xes"),
        (r"(matr)ix$", r"\1ices"),
        (r"(vert)ex$", r"\1ices"),
        (r"(x|ch|ss|sh|zz)$", r"\1es"),
        (_ES_WORDS + r"$", r"\1es"),
        (r"([^aeiouy]|qu)y$", r"\1ies"),
        (_F_TO_VES + r"f$", r"\1ves"),
        (_FE_TO_VES + r"fe$", r"\1ves"),
        (r"sis$", "ses"),
        (_UM_TO_A + r"um$", r"\1a"),
        (_UM_TO_A + r"a$", r"\1a"),
        (_O_TO_OES + r"o$", r"\1oes"),
        (r"s$", "s"),
        (r"$", "s"),
    )
)

_SINGULAR_RULES = _rules(
    (
        (r"(database)s$", r"\1"),
        (r"(qui)zzes$", r"\1z"),
        (r"(matr)ices$", r"\1ix"),
        (r"(vert|ind)ices$", r"\1ex"),
        (r"^(a)x[ie]s$", r"\1xis"),
        (_SIS + r"(sis|ses)$", r"\1sis"),
        (_ES_WORDS + r"(es)?$", r"\1"),
        (_CHE_WORDS + r"s$", r"\1"),
        (r"(x|ch|ss|sh|zz)es$", r"\1"),
        (_F_TO_VES + r"ves$", r"\1f"),
        (_FE_TO_VES + r"ves$", r"\1fe"),
        (_IE_WORDS + r"s$", r"\1"),
        (r"([^aeiouy]|qu)ies$", r"\1y"),
        (_UM_TO_A + r"a$", r"\1um"),
        (_O_TO_OES + r"oes$", r"\1o"),
        (r"(ss|is)$", r"\1"),
        (r"s$", ""),
    )
)


def _split(word: str) -> tuple[str, str]:
    head, sep, last = word.rpartition("_")
    return head + sep, last


def _match_case(template: str, result: str) -> str:
    return result[:1].upper() + result[1:] if template[:1].isupper() else result


def _irregular(part: str, *, to_plural: bool) -> str | None:
    low = part.lower()
    if _MAN_COMPOUND.match(low):
        stem = low[:-3]
        return _match_case(part, stem + ("men" if to_plural else "man"))
    for singular, plural in _IRREGULAR:
        for form in (singular, plural):
            whole = low == form
            suffix = singular in _SUFFIX_IRREGULAR and low.endswith(form)
            if whole or suffix:
                stem = low[: len(low) - len(form)]
                return _match_case(part, stem + (plural if to_plural else singular))
    return None


def _inflect(word: str, rules: tuple[tuple[re.Pattern[str], str], ...], *, to_plural: bool) -> str:
    head, last = _split(word)
    if not last or last.lower() in UNCOUNTABLE:
        return word
    irregular = _irregular(last, to_plural=to_plural)
    if irregular is not None:
        return head + irregular
    for pattern, repl in rules:
        if pattern.search(last):
            return head + pattern.sub(repl, last, count=1)
    return word


def pluralize(word: str) -> str:
    """Return the plural of the last part of a snake_case word; plurals stay as they are.

    >>> pluralize("weekly_requirement"), pluralize("category"), pluralize("children")
    ('weekly_requirements', 'categories', 'children')
    """
    return _inflect(word, _PLURAL_RULES, to_plural=True)


def singularize(word: str) -> str:
    """Return the singular of the last part of a snake_case word; singulars stay as they are.

    >>> singularize("weekly_requirements"), singularize("people"), singularize("statuses")
    ('weekly_requirement', 'person', 'status')
    """
    return _inflect(word, _SINGULAR_RULES, to_plural=False)


def camelize(word: str) -> str:
    """Turn a snake_case name into a CamelCase class name.

    >>> camelize("weekly_requirement")
    'WeeklyRequirement'
    """
    return "".join(part[:1].upper() + part[1:] for part in word.split("_") if part)


def underscore(word: str) -> str:
    """Turn CamelCase, kebab-case or spaced words into snake_case.

    >>> underscore("WeeklyRequirement"), underscore("Weekly-Requirements"), underscore("HTTPLog")
    ('weekly_requirement', 'weekly_requirements', 'http_log')
    """
    word = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", word)
    word = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", word)
    word = re.sub(r"[\s-]+", "_", word)
    return re.sub(r"_+", "_", word).strip("_").lower()


def dasherize(word: str) -> str:
    """Replace underscores with hyphens, as in URL paths.

    >>> dasherize("weekly_requirements")
    'weekly-requirements'
    """
    return word.replace("_", "-")


def humanize(word: str) -> str:
    """Turn a snake_case name into a capitalised label, dropping a trailing ``_id``.

    >>> humanize("weekly_requirement"), humanize("resident_id")
    ('Weekly requirement', 'Resident')
    """
    if word.endswith("_id") and len(word) > 3:
        word = word[:-3]
    text = word.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def tableize(class_name: str) -> str:
    """Return the plural snake_case table name of a class name.

    >>> tableize("WeeklyRequirement")
    'weekly_requirements'
    """
    return pluralize(underscore(class_name))


def classify(table: str) -> str:
    """Return the CamelCase class name of a plural table name.

    >>> classify("weekly_requirements")
    'WeeklyRequirement'
    """
    return camelize(singularize(table))
