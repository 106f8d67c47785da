"""Valid (and invalid) sample values for the generated factories and tests.

Samples respect every declared constraint: lengths, ranges, patterns, enum
choices, decimal precision and ``--check`` rules. They are emitted as Python
source that may use the factory's sequence number ``n`` so unique columns
get distinct values.
"""

from __future__ import annotations

import ast
import datetime as dt
import itertools
import math
import operator
from decimal import Decimal
from typing import Any

from scaffold.errors import InputError
from scaffold.generate.imports import Imports
from scaffold.generate.regex_sample import regex_other, regex_sample
from scaffold.spec.fields import INT_RANGE, Field
from scaffold.spec.resource import OWNER_COLUMN, ResourceSpec

# More rows than a generated suite makes of one resource: a varying sample's n stays below.
_MAX_ROWS = 100_000

_OPS = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "=": operator.eq,
    "!=": operator.ne,
}
_DATES = [dt.date(2024, 1, 1), dt.date(2024, 6, 15), dt.date(2025, 12, 31)]
_TIMES = [dt.time(9, 0), dt.time(12, 30), dt.time(17, 45)]
_DATETIMES = [
    dt.datetime(2024, 1, 1, 9, 0, tzinfo=dt.UTC),
    dt.datetime(2024, 6, 15, 12, 30, tzinfo=dt.UTC),
    dt.datetime(2025, 12, 31, 17, 45, tzinfo=dt.UTC),
]


def _bounds(field: Field) -> tuple[Any, Any]:
    low, high = INT_RANGE.get(field.kind, (None, None))
    if field.kind == "decimal":
        limit = Decimal(10) ** (field.precision - field.scale) - Decimal(1).scaleb(-field.scale)
        low, high = -limit, limit
    if field.kind == "float":
        low, high = -1e12, 1e12
    if field.min is not None:
        low = field.min if low is None else max(low, field.min)
    if field.max is not None:
        high = field.max if high is None else min(high, field.max)
    return low, high


def _decimal_count(field: Field, low: Decimal, high: Decimal) -> int:
    """How many values of ``field``'s scale lie from ``low`` to ``high`` (at most _MAX_ROWS)."""
    return min(_MAX_ROWS, int((high - low) / Decimal(1).scaleb(-field.scale)) + 1)


def _number(text: str, field: Field) -> Any:
    """A rule's number as ``field``'s kind compares it; None when it is not one of them
    (a fraction for an int)."""
    try:
        value = Decimal(text)
    except ArithmeticError:
        return None
    if field.kind in ("int", "bigint"):
        return int(value) if value == value.to_integral_value() else None
    return float(value) if field.kind == "float" else value


def _candidates(field: Field) -> list[Any]:
    first = [field.default] if field.has_default and field.default != "now" else []
    kind = field.kind
    if kind in ("int", "bigint", "float", "decimal"):
        low, high = _bounds(field)
        raw = [1, 0, 10, 100, low, high, low + 1, high - 1, (low + high) / 2]
        out = []
        for value in raw:
            if kind in ("int", "bigint"):
                value = int(value)
            elif kind == "decimal":
                value = (
                    Decimal(value).quantize(Decimal(1).scaleb(-field.scale))
                    if field.scale
                    else Decimal(int(value))
                )
            else:
                value = float(value)
            if low <= value <= high and value not in out:
                out.append(value)
        return first + out
    if kind == "date":
        return first + _DATES
    if kind == "time":
        return first + _TIMES
    if kind == "datetime":
        return first + _DATETIMES
    return first


class Samples:
    """Sample payload values for one resource, solved against its ``--check`` rules."""

    def __init__(self, spec: ResourceSpec):
        self.spec = spec
        self.fields = [f for f in spec.fields if not f.removed]
        self.base = self._solve()

    # -- solving --------------------------------------------------------------

    def _solve(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for f in self.fields:
            options = _candidates(f)
            if options:
                values[f.name] = options[0]
        involved = sorted(
            {c.left for c in self.spec.checks}
            | {c.right for c in self.spec.checks if c.right_is_field}
        )
        if not involved:
            return values
        choices = [_candidates(self.spec.field(name))[:9] for name in involved]
        for combo in itertools.product(*choices):
            trial = {**values, **dict(zip(involved, combo, strict=True))}
            if all(self.holds(check, trial) for check in self.spec.checks):
                return trial
        rules = ", ".join(c.text for c in self.spec.checks)
        raise InputError(
            f"No sample values satisfy --check {rules!r} within the fields' ranges; the generated tests need one.",
            token=rules,
            example='--check "min_hours<=max_hours"',
        )

    @staticmethod
    def holds(check, values: dict[str, Any]) -> bool:
        """True if ``check`` holds for ``values`` (a field left out holds, like SQL NULL)."""
        left = values.get(check.left)
        right = values.get(check.right) if check.right_is_field else Decimal(check.right)
        if left is None or right is None:
            return True
        if isinstance(left, float | int) and isinstance(right, Decimal):
            right = float(right) if isinstance(left, float) else right
        return _OPS[check.op](left, right)

    def in_check(self, name: str) -> bool:
        return any(
            c.left == name or (c.right_is_field and c.right == name) for c in self.spec.checks
        )

    # -- emitting ---------------------------------------------------------------

    def expr(self, f: Field, imports: Imports) -> str:
        """Python source of a JSON-ready sample value (may use ``n``)."""
        kind = f.kind
        varying = self.varies(f)
        if kind in ("str", "text"):
            return self._string(f)
        if kind in ("int", "bigint"):
            value = self.base[f.name]
            if varying:
                low, high = self._range(f)
                span = high - low + 1
                if span < 10**9:
                    return f"{low} + n % {span}"
                # Counting up from the sample, or down from the top (``hours<=80``).
                return f"{value} + n" if value + _MAX_ROWS <= high else f"{high} - n"
            return repr(value)
        if kind == "float":
            return self._float(f) if varying else repr(self.base[f.name])
        if kind == "decimal":
            return self._decimal(f, imports) if varying else repr(str(self.base[f.name]))
        if kind == "bool":
            # A bool in a unique rule alternates: two rows that share the rest differ.
            return "n % 2 == 0" if varying else repr(self.base.get(f.name, True))
        if kind in ("date", "datetime", "time"):
            value = self.base[f.name]
            if varying:
                imports.add("datetime as dt")
                if kind == "date":
                    return f"(dt.date({value.year}, {value.month}, {value.day}) + dt.timedelta(days=n)).isoformat()"
                if kind == "time":
                    return "dt.time(n % 24, n // 24 % 60).isoformat()"
                # The solved sample plus n minutes, its time of day kept: the rows
                # ``_holds_later`` checked against the resource's --check rules.
                start = f"{value.year}, {value.month}, {value.day}, {value.hour}, {value.minute}"
                return (
                    f"(dt.datetime({start}, tzinfo=dt.UTC) + dt.timedelta(minutes=n)).isoformat()"
                )
            return repr(value.isoformat())
        if kind == "uuid":
            imports.add("uuid", "uuid4")
            return "str(uuid4())"
        if kind == "json":
            return repr({"key": "value", "count": 1})
        if kind == "enum":
            if varying:
                return f"{f.choices!r}[n % {len(f.choices)}]"
            return repr(f.default if f.has_default else f.choices[0])
        raise AssertionError(kind)

    def _float(self, f: Field) -> str:
        """Each row's own float within the field's range: the sample plus n, or steps of
        the range over _MAX_ROWS rows when it is narrow (``ratio:float:min=0:max=1``)."""
        low, high = self._range(f)
        start = self.base[f.name]
        if high - low >= 2 * _MAX_ROWS:
            start = start if start + _MAX_ROWS <= high else float(low)
            return f"{float(start)!r} + n"
        step = (high - low) / _MAX_ROWS
        return f"{float(low)!r} + n % {_MAX_ROWS} * {step!r}"

    def _decimal(self, f: Field, imports: Imports) -> str:
        """Each row's own decimal within the field's range and scale: the sample plus n
        steps of the last digit (from the lowest value when the sample is near the top)."""
        decimal = imports.add("decimal", "Decimal")
        step = Decimal(1).scaleb(-f.scale)
        low, high = self._range(f)
        count = _decimal_count(f, low, high)
        start = self.base[f.name]
        if start + (count - 1) * step > high:
            start = low
        return f"str({decimal}({str(start)!r}) + n % {count} * {decimal}({str(step)!r}))"

    def capacity(self, fixed: set[str]) -> int | None:
        """How many rows the factory can make that share the values of the columns in
        ``fixed`` (a nested parent; the signed-in owner always) before a unique rule
        refuses one; None when there is no such limit."""
        fixed = {*fixed, OWNER_COLUMN}
        limits = [self._distinct(group, fixed) for group in self.spec.uniques]
        limits += [self._distinct((f.name,), fixed) for f in self.fields if f.unique]
        bounded = [limit for limit in limits if limit is not None]
        return min(bounded) if bounded else None

    def _distinct(self, group: tuple[str, ...], fixed: set[str]) -> int | None:
        """How many distinct rows of ``group`` the factory makes with ``fixed`` held."""
        product = 1
        for name in group:
            if name in fixed:
                continue
            f = next((f for f in self.fields if f.name == name), None)
            if f is None or f.is_ref:
                return None  # a parent per row
            if not self.varies(f) or (f.kind in ("str", "text") and f.pattern):
                continue  # the same value in every row
            if f.kind in ("uuid", "date", "datetime"):
                return None  # uuid4, a day or a minute per n
            if f.kind == "bool":
                product *= 2
            elif f.kind == "enum":
                product *= len(f.choices)
            elif f.kind == "time":
                product *= 24 * 60
            elif f.kind in ("int", "bigint"):
                low, high = self._range(f)
                product *= min(high - low + 1, _MAX_ROWS)
            elif f.kind == "decimal":
                product *= _decimal_count(f, *self._range(f))
            else:
                return None
        return product

    def _string(self, f: Field) -> str:
        low = f.min or 1
        high = f.max if f.max is not None else (f.length or 1000)
        if f.pattern:
            sample = regex_sample(f.pattern)
            if sample is None or not low <= len(sample) <= high or f.unique:
                why = (
                    "a unique column needs distinct values" if f.unique else "it cannot derive one"
                )
                raise InputError(
                    f"Cannot derive test values for {f.name!r} from pattern={f.pattern!r} ({why}); "
                    "use a simpler pattern (literals, classes and repeats) without :unique.",
                    token=f.pattern,
                    example="code:str=8:pattern=^[A-Z]{3}[0-9]{2}$",
                )
            return repr(sample)
        if f.email:
            return 'f"user{n}@example.com"'
        width = max(4, low - min(len(f.name), 12) - 1)
        stem = f.name[: max(0, min(12, high - width - 1))]
        if len(stem) + 1 + width > high:
            width = min(high, max(low, 1))
            return f'f"{{n:0{width}d}}"[-{width}:]'
        sep = "-" if stem else ""
        return f'f"{stem}{sep}{{n:0{width}d}}"'

    def example(self, f: Field, ref_id: Any) -> Any:
        """A JSON-ready value of ``f`` for the OpenAPI example (``ref_id`` for a reference)."""
        if f.is_ref:
            return ref_id
        if f.kind in ("str", "text"):
            if f.pattern:
                return regex_sample(f.pattern)
            if f.email:
                return "ada@example.com"
            low = f.min or 1
            high = f.max if f.max is not None else (f.length or 1000)
            return (f.name.replace("_", "-") + "x" * low)[: max(low, min(high, len(f.name)))]
        if f.kind == "uuid":
            return EXAMPLE_UUID
        if f.kind == "json":
            return {"key": "value", "count": 1}
        if f.kind == "enum":
            return f.default if f.has_default else f.choices[0]
        if f.kind == "bool":
            return self.base.get(f.name, True)
        value = self.base.get(f.name)
        if isinstance(value, dt.date | dt.time | dt.datetime):
            return value.isoformat()
        if isinstance(value, Decimal):
            return str(value)
        return value

    def payload_lines(self, imports: Imports) -> list[str]:
        """``"name": expr,`` entries of the factory payload (refs are added by the factory)."""
        out = []
        for f in self.fields:
            if f.is_ref:
                continue
            out.append(f'"{f.name}": {split_long_string(self.expr(f, imports), len(f.name) + 13)}')
        return out

    def response_checks(self, imports: Imports) -> list[str]:
        """Assertions that a created body echoes the payload (sensitive fields excluded)."""
        out = []
        for f in self.fields:
            if f.sensitive:
                continue
            key = repr(f.name).replace("'", '"')
            if f.kind == "decimal":
                imports.add("decimal", "Decimal")
                out.append(f"assert Decimal(body[{key}]) == Decimal(payload[{key}])")
            elif f.kind == "datetime":
                imports.add("datetime as dt")
                out.append(
                    f"assert dt.datetime.fromisoformat(body[{key}]) == dt.datetime.fromisoformat(payload[{key}])"
                )
            elif f.kind == "time":
                imports.add("datetime as dt")
                out.append(
                    f"assert dt.time.fromisoformat(body[{key}]) == dt.time.fromisoformat(payload[{key}])"
                )
            elif f.kind == "float":
                out.append(f"assert abs(body[{key}] - payload[{key}]) < 1e-9")
            elif f.is_ref and f.optional:
                out.append(f"assert body[{key}] == payload.get({key})")
            else:
                out.append(f"assert body[{key}] == payload[{key}]")
        return out

    def update_case(self, imports: Imports) -> dict[str, str] | None:
        """A field and a new valid value for the PATCH test, or None."""
        for f in self.fields:
            if f.is_ref or f.sensitive or f.pattern or self.in_check(f.name) or f.unique:
                continue
            value = self.other_value(f)
            if value is not None:
                return {
                    "field": f.name,
                    "value": value,
                    "check": self._same(f, f'body["{f.name}"]', value, imports),
                }
        return None

    @staticmethod
    def _same(f: Field, got: str, want: str, imports: Imports) -> str:
        """An expression true when the response value ``got`` equals the sent ``want``."""
        if f.kind in ("datetime", "time"):
            imports.add("datetime as dt")
            return f"dt.{f.kind}.fromisoformat({got}) == dt.{f.kind}.fromisoformat({want})"
        if f.kind == "decimal":
            imports.add("decimal", "Decimal")
            return f"Decimal({got}) == Decimal({want})"
        if f.kind == "float":
            return f"abs({got} - {want}) < 1e-9"
        if f.kind == "bool":
            return f"{got} is {want}"
        return f"{got} == {want}"

    def varies(self, f: Field) -> bool:
        """True if each factory row gets its own value of ``f`` (unique fields, unique sets)."""
        in_group = any(f.name in group for group in self.spec.uniques)
        if not (f.unique or in_group):
            return False
        # A datetime in a CHECK varies by n minutes when its rule holds however far
        # (``starts_at<ends_at`` with months between the samples): a composite unique
        # such as (patient_id, starts_at) needs each row's own value.
        # A number whose rules compare it with numbers only (``hours<=80``, ``price<=1000``)
        # varies within them.
        if f.kind == "datetime":
            return not self.in_check(f.name) or self._holds_later(f)
        return not self.in_check(f.name) or self._range(f) != (None, None)

    def _range(self, f: Field) -> tuple[Any, Any]:
        """The range of a number within its bounds and the rules comparing it with a
        number (``hours<=80``, ``price<=1000``); (None, None) when another rule involves
        it, for an empty range (not varied: then every row has the sample), or for a
        kind that is not a number."""
        if f.kind not in ("int", "bigint", "decimal", "float"):
            return None, None
        low, high = _bounds(f)
        # The smallest step of the kind: a strict rule (``<``) stops one step short.
        step: Any = 1
        if f.kind == "decimal":
            step = Decimal(1).scaleb(-f.scale)
        for check in self.spec.checks:
            if check.left != f.name and not (check.right_is_field and check.right == f.name):
                continue
            value = None if check.right_is_field else _number(check.right, f)
            if value is None:
                return None, None
            if f.kind == "float":
                below, above = math.nextafter(value, -math.inf), math.nextafter(value, math.inf)
            else:
                below, above = value - step, value + step
            bounded = {
                "<": (low, below),
                "<=": (low, value),
                ">": (above, high),
                ">=": (value, high),
                "=": (value, value),
            }
            if check.op not in bounded:
                return None, None
            new_low, new_high = bounded[check.op]
            low, high = max(low, new_low), min(high, new_high)
        return (low, high) if low <= high else (None, None)

    def _holds_later(self, f: Field) -> bool:
        values = dict(self.base)
        values[f.name] = self.base[f.name] + dt.timedelta(minutes=_MAX_ROWS)
        return all(self.holds(check, values) for check in self.spec.checks)

    def other_value(self, f: Field) -> str | None:
        """Python source of a valid value of ``f`` other than the factory's, or None."""
        if f.kind in ("str", "text"):
            if f.email:
                return repr("changed@example.com")
            if f.pattern:
                other = regex_other(f.pattern)
                return None if other is None else repr(other)
            low = f.min or 1
            high = f.max if f.max is not None else (f.length or 1000)
            text = ("updated" * 10)[: max(low, min(high, 7))]
            return repr(text) if low <= len(text) <= high else None
        if f.kind == "bool":
            return repr(not self.base.get(f.name, True))
        if f.kind == "enum":
            current = f.default if f.has_default else f.choices[0]
            other = next((c for c in f.choices if c != current), None)
            return None if other is None else repr(other)
        for candidate in _candidates(f):
            if candidate != self.base.get(f.name):
                if isinstance(candidate, dt.date | dt.time | dt.datetime):
                    return repr(candidate.isoformat())
                if isinstance(candidate, Decimal):
                    return repr(str(candidate))
                return repr(candidate)
        return None

    def invalid_case(self) -> dict[str, str] | None:
        """A field and a value that must be refused with 422."""
        for f in self.fields:
            if (
                f.kind in ("str", "text")
                and (f.max is not None or f.length is not None)
                and not f.is_ref
            ):
                limit = f.max if f.max is not None else f.length
                if limit <= 100000:
                    return {"field": f.name, "value": f'"x" * {limit + 1}', "why": "value too long"}
            if f.kind in ("int", "bigint"):
                low, high = _bounds(f)
                return {"field": f.name, "value": repr(high + 1), "why": "value above maximum"}
            if f.kind == "enum":
                return {
                    "field": f.name,
                    "value": repr("not-a-choice"),
                    "why": "value outside choices",
                }
        return None


LINE_LENGTH = 100
# The UUID of OpenAPI examples (uuid fields, and keys and references of uuid resources).
EXAMPLE_UUID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"


def split_long_string(source: str, used: int) -> str:
    """A plain string literal that would not fit beside ``used`` characters of its line
    (a 63-character key, say), as implicitly concatenated pieces one per line (ruff E501).

    >>> split_long_string(repr("2024-01-01T09:00:00+00:00"), 90)
    "('2024-01-01T09:00:00+' '00:00')"
    """
    if used + len(source) + 1 <= LINE_LENGTH or source[:1] not in "'\"" or not source:
        return source
    try:
        value = ast.literal_eval(source)
    except (ValueError, SyntaxError):
        return source
    if not isinstance(value, str):
        return source
    pieces = [value[i : i + 20] for i in range(0, len(value), 20)]
    return "(" + " ".join(repr(piece) for piece in pieces) + ")"
