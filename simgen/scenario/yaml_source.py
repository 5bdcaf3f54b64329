"""Safe YAML parsing that remembers where every key and value came from.

PyYAML's safe loader drops source positions once it builds Python objects, so this module
composes the node tree itself and builds plain data from it, recording a (line, column) for
every path. It accepts only the plain YAML types: tags such as ``!!python/object``, recursive
aliases, duplicate keys and alias bombs are rejected with a position instead of a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

Path = tuple[str | int, ...]

MAX_BYTES = 2_000_000
MAX_NODES = 200_000

_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_TAG + t for t in ("str", "int", "float", "bool", "null")}
_TIMESTAMP = _TAG + "timestamp"


@dataclass(frozen=True)
class Mark:
    """A 1-based source position."""

    line: int
    col: int


class YamlError(Exception):
    def __init__(self, mark: Mark, message: str, path: Path = ()) -> None:
        super().__init__(message)
        self.mark = mark
        self.message = message
        self.path = path


@dataclass
class SourceMap:
    """Where each path's value (and, for mapping entries, its key) starts in the file."""

    values: dict[Path, Mark] = field(default_factory=dict)
    keys: dict[Path, Mark] = field(default_factory=dict)

    def value(self, path: Path) -> Mark:
        """The mark of ``path``'s value, or of the nearest enclosing node that has one."""
        for end in range(len(path), -1, -1):
            mark = self.values.get(path[:end])
            if mark is not None:
                return mark
        return Mark(1, 1)

    def key(self, path: Path) -> Mark:
        return self.keys.get(path) or self.value(path)


def _mark(node: yaml.Node) -> Mark:
    return Mark(node.start_mark.line + 1, node.start_mark.column + 1)


class _Builder:
    def __init__(self, loader: yaml.SafeLoader) -> None:
        self.loader = loader
        self.source = SourceMap()
        self.count = 0
        self.active: set[int] = set()

    def build(self, node: yaml.Node, path: Path) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise YamlError(
                _mark(node),
                f"the document expands to more than {MAX_NODES} nodes (alias bomb?)",
                path,
            )
        self.source.values.setdefault(path, _mark(node))
        if id(node) in self.active:
            raise YamlError(_mark(node), "recursive alias: a node contains itself", path)
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, path)
            if isinstance(node, yaml.SequenceNode):
                if node.tag != _TAG + "seq":
                    raise self._bad_tag(node, path)
                return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
            assert isinstance(node, yaml.ScalarNode), "a node is a mapping, a sequence or a scalar"
            return self._scalar(node, path)
        finally:
            self.active.discard(id(node))

    def _mapping(self, node: yaml.MappingNode, path: Path) -> dict[Any, Any]:
        if node.tag != _TAG + "map":
            raise self._bad_tag(node, path)
        try:
            self.loader.flatten_mapping(node)  # resolves '<<' merge keys
        except yaml.MarkedYAMLError as exc:
            raise _from_yaml_error(exc) from None
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlError(_mark(key_node), "mapping keys must be plain scalars", path)
            key = self._scalar(key_node, path)
            if key in out:
                raise YamlError(_mark(key_node), f"duplicate key '{key}'", (*path, key))
            self.source.keys[(*path, key)] = _mark(key_node)
            out[key] = self.build(value_node, (*path, key))
        return out

    def _scalar(self, node: yaml.ScalarNode, path: Path) -> Any:
        if node.tag == _TIMESTAMP:
            return node.value  # dates stay text; no field of ours is a date
        if node.tag not in _SCALAR_TAGS:
            raise self._bad_tag(node, path)
        return self.loader.construct_object(node, deep=True)

    @staticmethod
    def _bad_tag(node: yaml.Node, path: Path) -> YamlError:
        tag = node.tag.replace(_TAG, "!!")
        return YamlError(
            _mark(node), f"tag '{tag}' is not allowed: scenarios are plain YAML data", path
        )


def _from_yaml_error(exc: yaml.MarkedYAMLError) -> YamlError:
    mark = exc.problem_mark or exc.context_mark
    where = Mark(mark.line + 1, mark.column + 1) if mark is not None else Mark(1, 1)
    what = " ".join(part for part in (exc.context, exc.problem) if part)
    return YamlError(where, f"YAML syntax error: {what or exc}")


def _position(text: str, index: int) -> Mark:
    before = text[:index]
    return Mark(before.count("\n") + 1, index - (before.rfind("\n") + 1) + 1)


def parse_yaml(text: str) -> tuple[Any, SourceMap]:
    """Plain data and its source map for a single YAML document."""
    if len(text.encode("utf-8", errors="replace")) > MAX_BYTES:
        raise YamlError(Mark(1, 1), f"the file is larger than {MAX_BYTES} bytes")
    try:
        loader = yaml.SafeLoader(text)
    except yaml.reader.ReaderError as exc:
        raise YamlError(
            _position(text, exc.position),
            f"YAML error: unacceptable character #x{exc.character:04x}: {exc.reason}",
        ) from None
    try:
        node = loader.get_single_node()
        if node is None:
            raise YamlError(Mark(1, 1), "the file is empty: expected a scenario mapping")
        builder = _Builder(loader)
        data = builder.build(node, ())
    except yaml.MarkedYAMLError as exc:
        raise _from_yaml_error(exc) from None
    except yaml.reader.ReaderError as exc:
        raise YamlError(
            _position(text, exc.position),
            f"YAML error: unacceptable character #x{exc.character:04x}: {exc.reason}",
        ) from None
    except yaml.YAMLError as exc:
        raise YamlError(Mark(1, 1), f"YAML error: {exc}") from None
    except RecursionError:
        raise YamlError(Mark(1, 1), "the document is nested too deeply") from None
    finally:
        loader.dispose()
    return data, builder.source
