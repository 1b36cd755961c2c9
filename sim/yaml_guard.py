"""Reading scenario YAML that a careless or hostile user may have written.

`yaml.safe_load` refuses to build objects, but it does not bound the work a small file
can ask for: nested aliases ("billion laughs") make a 1.7 KB file expand to billions of
nodes for anything that walks the result (the validator, the error messages, JSON for
the browser), and deep nesting overflows Python's stack. `read_yaml` composes the node
tree once, checks its size, depth, aliases and duplicate keys, and only then builds the
Python value. Scenario files in the library are 1-5 KB with at most 6 levels, so the
limits below are generous for real use (docs/decisions.md, "Guarded YAML").
"""
from __future__ import annotations

from typing import Any

import yaml

MAX_BYTES = 256 * 1024        # the largest scenario file accepted
MAX_NODES = 20_000            # nodes after aliases are expanded
MAX_DEPTH = 40                # nested mappings and lists


class YamlProblem(ValueError):
    """The text is not YAML the simulator will read; `line` is 1-based or None."""

    def __init__(self, message: str, line: int | None = None):
        self.line = line
        super().__init__(message)


def read_yaml(text: str) -> tuple[Any, yaml.Node | None]:
    """The value of `text` and its node tree, after the checks above. Raises YamlProblem."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_BYTES:
        raise YamlProblem(f"the file is {size:,} bytes; expected at most {MAX_BYTES:,}")
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except RecursionError:
        raise YamlProblem(f"nesting too deep; expected at most {MAX_DEPTH} levels") from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        raise YamlProblem(f"invalid YAML: {getattr(e, 'problem', None) or e}",
                          mark.line + 1 if mark else None) from None
    if node is None:
        return None, None
    _check(node)
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_document(node), node
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        raise YamlProblem(f"invalid YAML: {getattr(e, 'problem', None) or e}",
                          mark.line + 1 if mark else None) from None
    finally:
        loader.dispose()


def _check(root: yaml.Node) -> None:
    """Expanded size, depth and duplicate keys, walking each distinct node once."""
    size: dict[int, int] = {}
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 1, False)]
    open_nodes: set[int] = set()
    while stack:
        node, depth, done = stack.pop()
        if depth > MAX_DEPTH:
            raise YamlProblem(f"nesting too deep; expected at most {MAX_DEPTH} levels", _line(node))
        children = _children(node)
        if done:
            open_nodes.discard(id(node))
            size[id(node)] = 1 + sum(size[id(c)] for c in children)
            if size[id(node)] > MAX_NODES:
                raise YamlProblem(f"the file expands to more than {MAX_NODES:,} values (aliases repeat "
                                  "what they name); expected a plain scenario", _line(node))
            continue
        if id(node) in size:
            continue
        if id(node) in open_nodes:
            raise YamlProblem("an alias refers to the value that contains it; expected a plain scenario",
                              _line(node))
        open_nodes.add(id(node))
        if isinstance(node, yaml.MappingNode):
            _no_duplicate_keys(node)
        stack.append((node, depth, True))
        stack.extend((c, depth + 1, False) for c in children if id(c) not in size)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _no_duplicate_keys(node: yaml.MappingNode) -> None:
    seen: dict[str, int] = {}
    for key, _ in node.value:
        if not isinstance(key, yaml.ScalarNode):
            continue
        if key.value in seen:
            raise YamlProblem(f"the key {short(key.value)} appears twice (first on line {seen[key.value]}); "
                              "expected each key once", _line(key))
        seen[key.value] = _line(key)


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


class YamlLines:
    """The 1-based line of the YAML node at a field path `loc` (mapping keys, list positions) in the
    node tree `read_yaml` returns, or of the deepest part of the path found; None when not even
    the first key is there. The one locator for the messages about scenario and sweep files;
    each mapping is indexed once, not once per problem (a file may have thousands)."""

    def __init__(self, root: yaml.Node | None):
        self.root = root
        self.keys: dict[int, dict[str, tuple[yaml.Node, yaml.Node]]] = {}

    def __call__(self, loc: tuple) -> int | None:
        line, node = None, self.root
        for key in loc:
            if isinstance(node, yaml.MappingNode):
                if id(node) not in self.keys:   # the first of a repeated key, as read_yaml reports it
                    self.keys[id(node)] = {str(k.value): (k, v) for k, v in reversed(node.value)}
                match = self.keys[id(node)].get(str(key))
                if match is None:
                    break
                k, node = match
                line = _line(k)
            elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and 0 <= key < len(node.value):
                node = node.value[key]
                line = _line(node)
            else:
                break
        return line


def short(value: Any, limit: int = 80) -> str:
    """repr of a found value, cut to `limit` characters so a message stays one readable line."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit - 1]}… ({len(text):,} characters)"
