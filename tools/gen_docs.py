"""The documentation's generated parts, filled in at `mkdocs build` time so that they cannot drift.

mkdocs.yml names this file under ``hooks:``. A page asks for a generated part with a marker line,
``<!-- gen: NAME -->``, which ``on_page_markdown`` replaces with ``GENERATORS[NAME]()``:

- ``scenario-reference``: every key of the scenario format, from the pydantic models that
  validate a file (the same models `simgen schema` turns into JSON Schema);
- ``injector-catalogue``: every injector, from the injector registry's docs, with its picture;
- ``bench-*``, ``realism-*``, ``eval-suite``: tables from the records in benchmarks/records/.

``python tools/gen_docs.py NAME`` prints one part, to read it without building the site;
``python tools/gen_docs.py --readme`` rewrites README.md's generated parts.
"""

from __future__ import annotations

import json
import re
import sys
import typing
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # mkdocs loads hooks by path: make ``benchmarks`` importable
    sys.path.insert(0, str(ROOT))

from benchmarks import tables  # noqa: E402
from benchmarks.model import load_records  # noqa: E402
from simgen.injectors.docs import injector_docs, markdown_table  # noqa: E402
from simgen.scenario.distributions import Choice, Normal, Uniform  # noqa: E402
from simgen.scenario.models import INJECTORS, ScenarioSpec  # noqa: E402
from simgen.scenario.schema import scenario_json_schema  # noqa: E402

GALLERY = ROOT / "docs" / "gallery"
MARKER = re.compile(r"^<!-- gen: ([a-z0-9-]+) -->$", re.M)
DISTRIBUTIONS = (Uniform, Normal, Choice)
ANY_DISTRIBUTION = "[uniform] or [normal] or [choice]"
BOUND_NAMES = (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<"))


# --- the scenario format reference --------------------------------------------------------------


def _nested(annotation: Any) -> Iterator[Any]:
    """Every type and metadata object inside an annotation (Annotated, unions, containers)."""
    yield annotation
    for arg in typing.get_args(annotation):  # Annotated[X, meta, ...] gives X and its metadata
        yield from _nested(arg)


def _is_model(obj: Any) -> bool:
    return isinstance(obj, type) and issubclass(obj, BaseModel)


def _is_distribution(obj: Any) -> bool:
    return _is_model(obj) and issubclass(obj, DISTRIBUTIONS)


def models_with_paths(root: type[BaseModel] = ScenarioSpec) -> dict[type[BaseModel], list[str]]:
    """Every model reachable from ``root``, breadth first, with the key paths it is used at."""
    found: dict[type[BaseModel], list[str]] = {root: [""]}
    queue = [root]
    while queue:
        model = queue.pop(0)
        prefix = found[model][0]
        for name, field in model.model_fields.items():
            many = typing.get_origin(field.annotation) is list
            path = f"{prefix}.{name}" if prefix else name
            path += "[]" if many else ""
            for inner in _nested(field.annotation):
                if not _is_model(inner) or _is_distribution(inner):
                    continue
                if inner not in found:
                    found[inner] = []
                    queue.append(inner)
                if path not in found[inner]:
                    found[inner].append(path)
    return found


def bounds_text(field: FieldInfo) -> str:
    """The limits a value (and every value a distribution can take) must obey, e.g. ``>= 0``."""
    parts: list[str] = []
    for meta in [*field.metadata, *_nested(field.annotation)]:
        target = getattr(getattr(meta, "func", None), "__self__", meta)  # Bounds.check -> Bounds
        if _is_model(target) or isinstance(target, type):
            continue
        for attr, sign in BOUND_NAMES:
            value = getattr(target, attr, None)
            if isinstance(value, int | float) and not isinstance(value, bool):
                parts.append(f"{sign} {value:g}" if value < 1e15 else f"{sign} 2^63")
        for attr, words in (("min_length", "at least {} item(s)"), ("max_length", "at most {}")):
            value = getattr(target, attr, None)
            if isinstance(value, int):
                parts.append(words.format(value))
    return ", ".join(dict.fromkeys(parts))


def _anchor(model: type[BaseModel]) -> str:
    return model.__name__.lower()


def _schema_type(prop: dict[str, Any]) -> str:
    """A JSON Schema property as a short phrase, with links to the models it names."""
    if "$ref" in prop:
        name = prop["$ref"].rsplit("/", 1)[-1]
        if name in ("Uniform", "Normal"):
            return f"[{name.lower()}]"
        if name.startswith("Choice"):
            return "[choice]"
        return f"[{name}](#{name.lower()})"
    if "const" in prop:
        const = prop["const"]
        return f"`{const}`" if isinstance(const, str) else f"`{json.dumps(const)}`"
    if "enum" in prop:
        return "one of " + ", ".join(f"`{v}`" for v in prop["enum"])
    for key in ("oneOf", "anyOf"):
        if key in prop:
            options = [_schema_type(p) for p in prop[key] if p.get("type") != "null"]
            text = " or ".join(dict.fromkeys(options)).replace(ANY_DISTRIBUTION, "[distribution]")
            if any(p.get("type") == "null" for p in prop[key]):
                text += " or null"
            return text
    kind = prop.get("type")
    if kind == "array" and "prefixItems" in prop:
        return "[" + ", ".join(_schema_type(p) for p in prop["prefixItems"]) + "]"
    if kind == "array":
        return "list of " + _schema_type(prop.get("items", {}))
    if kind == "object" and "additionalProperties" in prop:
        return "mapping of " + _schema_type(prop["additionalProperties"])
    return kind or "any"


def _default_text(field: FieldInfo) -> str:
    if field.is_required():
        return "**required**"
    value = field.get_default(call_default_factory=True)
    if value is None:
        return "unset"
    if isinstance(value, BaseModel):
        return "its defaults"
    if isinstance(value, str):
        return f"`{value}`" if value else '`""`'
    if isinstance(value, tuple):
        value = list(value)
    return f"`{json.dumps(value)}`"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _doc(model: type) -> str:
    return " ".join((model.__doc__ or "").replace("``", "`").split())


def scenario_reference() -> str:
    """One section per model of the scenario format: every key, type, default, bounds, meaning."""
    schema = scenario_json_schema()
    defs = schema.get("$defs", {})
    out: list[str] = []
    for model, paths in models_with_paths().items():
        section = schema if model is ScenarioSpec else defs.get(model.__name__, {})
        props = section.get("properties", {})
        out.append(f"### {model.__name__}\n")
        where = ", ".join(f"`{p}`" for p in paths if p) or "the top level of a scenario file"
        out.append(f"Used at: {where}.\n")
        if _doc(model) and model is not ScenarioSpec:
            out.append(_doc(model) + "\n")
        rows = ["| key | type | default | bounds | description |", "|---|---|---|---|---|"]
        for name, field in model.model_fields.items():
            kind = _schema_type(props[name]) if name in props else str(field.annotation)
            about = field.description or props.get(name, {}).get("description", "")
            cells = [f"`{name}`", kind, _default_text(field), bounds_text(field), about]
            rows.append("| " + " | ".join(_cell(c) for c in cells) + " |")
        out.append("\n".join(rows) + "\n")
    out.append("### Distributions\n")
    out.append(
        "[uniform]: #distributions\n[normal]: #distributions\n[choice]: #distributions\n"
        "[distribution]: #distributions\n"
    )
    out.append(
        "Where a type above says uniform, normal or choice, the value may be written as that "
        "one-key mapping instead of a concrete value; bounds apply to every value it can take.\n"
    )
    for model in DISTRIBUTIONS:
        key = next(iter(model.model_fields))
        out.append(f"- `{{{key}: ...}}`: {_doc(model)}")
    return "\n".join(out) + "\n"


# --- the injector catalogue ---------------------------------------------------------------------


def injector_catalogue() -> str:
    """Every injector from the registry's docs, its parameters and its before/after picture."""
    model_of = {doc.type: model for doc, model in zip(injector_docs(), INJECTORS, strict=True)}
    out: list[str] = [markdown_table()]
    for doc in injector_docs():
        model = model_of[doc.type]
        out.append(f"### `{doc.type}`\n")
        out.append(f"*{doc.group}*. {doc.summary}\n")
        if doc.parameters:
            rows = ["| parameter | default | bounds | description |", "|---|---|---|---|"]
            for p in doc.parameters:
                bounds = bounds_text(model.model_fields[p.name])
                rows.append(f"| `{p.name}` | {p.default} | {bounds} | {_cell(p.description)} |")
            out.append("\n".join(rows) + "\n")
        if (GALLERY / f"{doc.type}.jpg").exists():
            out.append(f"![{doc.type}: before and after](gallery/{doc.type}.jpg)\n")
    return "\n".join(out)


# --- tables from the benchmark records ----------------------------------------------------------


def bench_frame() -> str:
    records = load_records(kind="frame")
    return tables.frame_table([r for r in records if r.frame is None or not r.frame.series])


def bench_outputs() -> str:
    return tables.outputs_table(load_records(kind="frame"))


def bench_batch() -> str:
    return "\n".join(tables.batch_table(r) for r in load_records(kind="batch"))


def realism_signals() -> str:
    return tables.signals_table(load_records(kind="signals"))


def realism_vehicles() -> str:
    return tables.realism_table(load_records(kind="realism"))


def realism_current() -> str:
    return tables.realism_current_table(load_records(kind="realism"))


def realism_detectors() -> str:
    records = load_records(kind="detector")
    return tables.detector_table(records) + "\n" + tables.fppi_table(records)


def eval_suite() -> str:
    return "\n".join(tables.eval_table(r) for r in load_records(kind="eval"))


GENERATORS: dict[str, Callable[[], str]] = {
    "scenario-reference": scenario_reference,
    "injector-catalogue": injector_catalogue,
    "bench-frame": bench_frame,
    "bench-batch": bench_batch,
    "bench-outputs": bench_outputs,
    "realism-detectors": realism_detectors,
    "realism-signals": realism_signals,
    "realism-vehicles": realism_vehicles,
    "realism-current": realism_current,
    "eval-suite": eval_suite,
}


def generate(name: str, where: str) -> str:
    """The generated part ``name``; an unknown one is an error naming the page ``where``."""
    if name not in GENERATORS:
        known = ", ".join(GENERATORS)
        raise ValueError(f"{where}: unknown generated part '{name}' (known: {known})")
    return GENERATORS[name]()


def fill(markdown: str, where: str = "page") -> str:
    """Replace every ``<!-- gen: NAME -->`` line; an unknown NAME is an error naming the page."""
    return MARKER.sub(lambda match: generate(match.group(1), where).rstrip("\n"), markdown)


# README.md is read on the forge, not built: its generated parts are written into it between
# ``<!-- gen: NAME -->`` and ``<!-- end gen: NAME -->`` (``--readme``), and a test checks that
# they are what the records give today.
README = ROOT / "README.md"
BLOCK = re.compile(r"^(<!-- gen: ([a-z0-9-]+) -->\n).*?^(<!-- end gen: \2 -->)$", re.M | re.S)


def fill_readme(markdown: str) -> str:
    """README's text with every generated block rewritten from the records."""

    def block(match: re.Match[str]) -> str:
        part = generate(match.group(2), "README.md").strip()
        return f"{match.group(1)}\n{part}\n\n{match.group(3)}"

    return BLOCK.sub(block, markdown)


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    """mkdocs hook: fill the page's generated parts before it is rendered."""
    return fill(markdown, page.file.src_uri)


def main(argv: list[str]) -> int:
    if argv == ["--readme"]:
        from simgen.core.atomic import write_text_atomic

        write_text_atomic(README, fill_readme(README.read_text()))
        print(f"wrote {README}")
        return 0
    if len(argv) != 1 or argv[0] not in GENERATORS:
        names = "|".join(GENERATORS)
        print(f"usage: python tools/gen_docs.py {{{names}}} | --readme", file=sys.stderr)
        return 2
    print(GENERATORS[argv[0]]())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
