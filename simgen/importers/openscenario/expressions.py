"""OpenSCENARIO 1.2 ``${...}`` expressions, parsed and evaluated by a small recursive-descent
parser (never ``eval``).

Grammar, loosest binding first: ``or``/``||``; ``and``/``&&``; ``not``/``!``; comparisons
(``== != < <= > >=``); ``+ -``; ``* / %``; unary ``-``; numbers, ``true``/``false``,
``$parameter`` references, parentheses and the functions ``round floor ceil sqrt pow abs sign
min max sin cos tan asin acos atan``. Booleans take part in arithmetic as 1 and 0.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping

from simgen.importers.openscenario.errors import ExpressionError

Value = float | int | bool | str

_TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)"
    r"|(?P<param>\$[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op>==|!=|<=|>=|&&|\|\||[-+*/%()<>,!]))"
)


def _round(a: float) -> float:
    """Half away from zero, as C's round (OpenSCENARIO tools are mostly C++)."""
    return float(math.copysign(math.floor(abs(a) + 0.5), a))


FUNCTIONS: dict[str, tuple[int, Callable[..., float]]] = {
    "round": (1, _round),
    "floor": (1, lambda a: float(math.floor(a))),
    "ceil": (1, lambda a: float(math.ceil(a))),
    "sqrt": (1, math.sqrt),
    "pow": (2, math.pow),
    "abs": (1, abs),
    "sign": (1, lambda a: float((a > 0) - (a < 0))),
    "min": (2, min),
    "max": (2, max),
    "sin": (1, math.sin),
    "cos": (1, math.cos),
    "tan": (1, math.tan),
    "asin": (1, math.asin),
    "acos": (1, math.acos),
    "atan": (1, math.atan),
}


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise ExpressionError(f"unexpected '{text[pos:].strip()[:20]}' in '{text}'")
        kind = m.lastgroup
        assert kind is not None
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


def _num(v: Value, text: str) -> float:
    if isinstance(v, str):
        try:
            return float(v)
        except ValueError:
            raise ExpressionError(f"'{v}' is not a number (in '{text}')") from None
    return float(v)


class _Parser:
    def __init__(self, text: str, params: Mapping[str, Value]) -> None:
        self.text, self.params = text, params
        self.toks = _tokens(text)
        self.i = 0

    def peek(self) -> tuple[str, str] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self, *values: str) -> str | None:
        tok = self.peek()
        if tok is not None and tok[0] in ("op", "name") and tok[1] in values:
            self.i += 1
            return tok[1]
        return None

    def expect(self, value: str) -> None:
        if self.take(value) is None:
            raise ExpressionError(f"expected '{value}' in '{self.text}'")

    def parse(self) -> Value:
        value = self.or_()
        if self.peek() is not None:
            raise ExpressionError(f"unexpected '{self.peek()[1]}' in '{self.text}'")  # type: ignore[index]
        return value

    def or_(self) -> Value:
        left = self.and_()
        while self.take("or", "||"):
            right = self.and_()
            left = bool(left) or bool(right)
        return left

    def and_(self) -> Value:
        left = self.not_()
        while self.take("and", "&&"):
            right = self.not_()
            left = bool(left) and bool(right)
        return left

    def not_(self) -> Value:
        if self.take("not", "!"):
            return not bool(self.not_())
        return self.compare()

    def compare(self) -> Value:
        left = self.sum_()
        op = self.take("==", "!=", "<=", ">=", "<", ">")
        if op is None:
            return left
        a, b = _num(left, self.text), _num(self.sum_(), self.text)
        return {
            "==": a == b, "!=": a != b, "<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b,
        }[op]  # fmt: skip

    def sum_(self) -> Value:
        left = self.product()
        while (op := self.take("+", "-")) is not None:
            a, b = _num(left, self.text), _num(self.product(), self.text)
            left = a + b if op == "+" else a - b
        return left

    def product(self) -> Value:
        left = self.unary()
        while (op := self.take("*", "/", "%")) is not None:
            a, b = _num(left, self.text), _num(self.unary(), self.text)
            if op != "*" and b == 0:
                raise ExpressionError(f"division by zero in '{self.text}'")
            left = a * b if op == "*" else a / b if op == "/" else math.fmod(a, b)
        return left

    def unary(self) -> Value:
        if self.take("-"):
            return -_num(self.unary(), self.text)
        if self.take("+"):
            return _num(self.unary(), self.text)
        return self.atom()

    def atom(self) -> Value:
        tok = self.peek()
        if tok is None:
            raise ExpressionError(f"'{self.text}' ends too early")
        kind, value = tok
        self.i += 1
        if kind == "num":
            return float(value)
        if kind == "param":
            name = value[1:]
            if name not in self.params:
                raise ExpressionError(f"unknown parameter '{name}' in '{self.text}'")
            return self.params[name]
        if kind == "name":
            if value in ("true", "false"):
                return value == "true"
            if value not in FUNCTIONS:
                raise ExpressionError(f"unknown function or name '{value}' in '{self.text}'")
            arity, fn = FUNCTIONS[value]
            self.expect("(")
            args = [_num(self.or_(), self.text)]
            while self.take(","):
                args.append(_num(self.or_(), self.text))
            self.expect(")")
            if len(args) != arity:
                raise ExpressionError(f"{value}() takes {arity} argument(s) in '{self.text}'")
            try:
                return float(fn(*args))
            except (ValueError, OverflowError) as exc:
                raise ExpressionError(f"{value}{tuple(args)}: {exc}") from None
        if value == "(":
            inner = self.or_()
            self.expect(")")
            return inner
        raise ExpressionError(f"unexpected '{value}' in '{self.text}'")


def evaluate(text: str, params: Mapping[str, Value]) -> Value:
    """The value of the expression inside ``${...}`` (without the braces)."""
    if not text.strip():
        raise ExpressionError("empty expression")
    return _Parser(text, params).parse()
