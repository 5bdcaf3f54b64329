"""Scenario errors that read ``file:line:col: key.path: message`` and never need a traceback."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from simgen.scenario.yaml_source import Mark, Path, SourceMap


def dotted(path: Path) -> str:
    """``('actors', 0, 'speed')`` -> ``actors[0].speed``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(root)"


def suggest(word: object, options: Iterable[str]) -> str:
    """A " (did you mean 'x'?)" hint, or nothing when no option is close."""
    if not isinstance(word, str):
        return ""
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


@dataclass(frozen=True)
class Issue:
    """One problem in one file, at one node."""

    file: str
    mark: Mark
    path: Path
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.mark.line}:{self.mark.col}: {dotted(self.path)}: {self.message}"


class ScenarioError(Exception):
    """A scenario file that cannot be used; ``issues`` holds every problem found."""

    def __init__(self, issues: Sequence[Issue]) -> None:
        self.issues = list(issues)
        super().__init__("\n".join(str(i) for i in self.issues))


# --- pydantic errors -> issues -----------------------------------------------------------------


def real_path(loc: tuple[Any, ...], data: Any) -> Path:
    """The part of a pydantic ``loc`` that exists in the raw data.

    Union members add tags (``uniform``, ``value``, ``camera``) to a location; they are not keys
    of the document, so following the raw data drops them.
    """
    path: list[str | int] = []
    node = data
    for part in loc:
        in_dict = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if in_dict or in_list:
            node = node[part]
            path.append(part)
    return tuple(path)


def _lookup(data: Any, path: Path) -> Any:
    for part in path:
        data = data[part]
    return data


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, (int, float)):
        return f"{value} (a number)"
    if isinstance(value, str):
        return f"'{value}' (a string)"
    if value is None:
        return "nothing (null)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


_EXPECTED = {
    "float_type": "a number",
    "float_parsing": "a number",
    "finite_number": "a finite number",
    "int_type": "an integer",
    "int_parsing": "an integer",
    "int_from_float": "a whole number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "string_type": "a string",
    "list_type": "a list",
    "tuple_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
}

_BOUND = {
    "greater_than": ("gt", ">"),
    "greater_than_equal": ("ge", ">="),
    "less_than": ("lt", "<"),
    "less_than_equal": ("le", "<="),
}


def _model_keys(model: type[BaseModel]) -> set[str]:
    return set(model.model_fields)


def _all_models(root: type[BaseModel]) -> list[type[BaseModel]]:
    """Every model class reachable from ``root``'s field annotations."""
    seen: list[type[BaseModel]] = []

    def visit(tp: Any) -> None:
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            if tp in seen:
                return
            seen.append(tp)
            for f in tp.model_fields.values():
                visit(f.annotation)
                for meta in f.metadata:
                    visit(meta)
            return
        for arg in getattr(tp, "__args__", ()) or ():
            visit(arg)
        origin = getattr(tp, "__origin__", None)
        if origin is not None and origin is not tp:
            visit(origin)

    visit(root)
    return seen


def _candidate_keys(root: type[BaseModel], present: set[str]) -> set[str]:
    """Keys valid next to ``present``: the fields of every model that could hold them."""
    keys: set[str] = set()
    for model in _all_models(root):
        fields = _model_keys(model)
        if present <= fields:
            keys |= fields
    return keys


def _message(err: ErrorDetails, data: Any, path: Path, root: type[BaseModel]) -> tuple[Path, str]:
    """The path to report (it may go one key deeper than pydantic's) and a plain message."""
    kind = err["type"]
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        field = str((err.get("ctx") or {}).get("discriminator", "type")).removesuffix("()")
        node = _lookup(data, path)
        if kind == "union_tag_invalid" and isinstance(node, dict) and field in node:
            path = (*path, field)
        return path, _text(err, data, path, root)
    return path, _text(err, data, path, root)


def _text(err: ErrorDetails, data: Any, path: Path, root: type[BaseModel]) -> str:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    value = err.get("input")
    if kind == "missing":
        return f"missing required key '{err['loc'][-1]}'"
    if kind == "extra_forbidden":
        key = path[-1]
        parent = _lookup(data, path[:-1])
        present = {k for k in parent if isinstance(k, str)} if isinstance(parent, dict) else set()
        valid = _candidate_keys(root, present - {key}) - present
        hint = suggest(key, valid)
        expected = f"; expected one of: {', '.join(sorted(valid))}" if valid and not hint else ""
        return f"unknown key '{key}'{hint}{expected}"
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        field = str(ctx.get("discriminator", "type")).removesuffix("()")
        expected = ctx.get("expected_tags", "")
        options = re.findall(r"'([^']*)'", expected)
        if kind == "union_tag_not_found":
            return f"missing key '{field}' (expected one of {', '.join(options)})"
        tag = ctx.get("tag")
        return (
            f"unknown {field} '{tag}'{suggest(tag, options)}; expected one of {', '.join(options)}"
        )
    if kind == "literal_error":
        options = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        listed = ", ".join(options) if options else str(ctx.get("expected"))
        return f"got {_describe(value)}{suggest(value, options)}; expected one of {listed}"
    if kind in _EXPECTED:
        return f"expected {_EXPECTED[kind]}, got {_describe(value)}"
    if kind in _BOUND:
        key, op = _BOUND[kind]
        return f"must be {op} {ctx.get(key)}, got {_describe(value)}"
    if kind in ("value_error", "assertion_error"):
        return str(ctx.get("error", err["msg"]))
    if kind in ("too_short", "too_long"):
        return f"{err['msg'].replace('Tuple', 'List')}"
    return str(err["msg"])


def issues_from_validation(
    exc: ValidationError, data: Any, source: SourceMap, file: str, root: type[BaseModel]
) -> list[Issue]:
    issues: list[Issue] = []
    seen: set[tuple[Path, str]] = set()
    for err in exc.errors():
        path, message = _message(err, data, real_path(err["loc"], data), root)
        if (path, message) in seen:
            continue
        seen.add((path, message))
        mark = source.key(path) if err["type"] == "extra_forbidden" else source.value(path)
        issues.append(Issue(file, mark, path, message))
    return sort_issues(issues)


def sort_issues(issues: Iterable[Issue]) -> list[Issue]:
    return sorted(issues, key=lambda i: (i.file, i.mark.line, i.mark.col))
