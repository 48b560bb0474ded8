"""Stage 1 of loading: read YAML text into plain data, remembering where each node was.

Returns the document as dicts/lists/scalars plus a map from a path (tuple of keys and
indexes) to its (line, col), both 1-based. Duplicate keys, anchors/aliases and tags are
refused: a flow is data typed by people, and a repeated key silently wins in plain YAML.
This stage knows nothing about flows.
"""
from __future__ import annotations

from typing import Any

import yaml

from .problems import FlowProblem

Path = tuple[Any, ...]
Positions = dict[Path, tuple[int, int]]


class _Loader(yaml.SafeLoader):
    """SafeLoader that never constructs anything by itself; we walk the node tree."""


def read_yaml(text: str, filename: str) -> tuple[Any, Positions, list[FlowProblem]]:
    """Parse `text`; return (data, positions, problems). Data is None on a syntax error."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        return None, {}, [_syntax_problem(exc, filename)]
    except yaml.YAMLError as exc:
        return None, {}, [FlowProblem(filename, 1, 1, "YAML_001",
                                      f"the file is not valid YAML: {exc}", "")]
    if node is None:
        return None, {}, [FlowProblem(filename, 1, 1, "YAML_002", "the file is empty",
                                      "a flow starts with a `flow:` mapping")]
    walker = _Walker(filename)
    data = walker.walk(node, ())
    return data, walker.positions, _anchors(text, filename) + walker.problems


def _anchors(text: str, filename: str) -> list[FlowProblem]:
    """Anchors and aliases: a copied block that changes in one place only is a trap for editors."""
    if "&" not in text and "*" not in text:
        return []
    found = []
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            mark = event.start_mark
            sign = "*" if isinstance(event, yaml.AliasEvent) else "&"
            found.append(FlowProblem(filename, mark.line + 1, mark.column + 1, "YAML_007",
                                     f"anchors and aliases ({sign}{event.anchor}) are not allowed",
                                     "write the repeated part out in full"))
    return found


def _syntax_problem(exc: yaml.MarkedYAMLError, filename: str) -> FlowProblem:
    """Locate a syntax error where a person would look for it, with a hint in their terms."""
    problem = exc.problem or str(exc)
    mark = exc.problem_mark or exc.context_mark
    if "end of stream" in problem and exc.context_mark is not None:
        mark = exc.context_mark  # the end of the file is not where the mistake is; where it opened is
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    what = f"{exc.context}, {problem}" if exc.context and "scanning for the next token" not in exc.context \
        else problem
    if "'\\t'" in problem:
        hint = "indent with spaces; YAML does not allow tabs here"
    elif "expected <block end>" in problem:
        what = "this line is not indented like the lines around it"
        hint = "keys of the same mapping, and items of the same list, start in the same column"
    elif "mapping values are not allowed" in problem:
        hint = "a value that contains ': ' needs quotes, e.g. when: \"a: b\""
    elif exc.context and "quoted scalar" in exc.context:
        hint = "a quote opened here is never closed"
    else:
        hint = "check indentation and quoting around this place"
    return FlowProblem(filename, line, col, "YAML_001", f"the file is not valid YAML: {what}", hint)


class _Walker:
    def __init__(self, filename: str):
        self.filename = filename
        self.positions: Positions = {}
        self.problems: list[FlowProblem] = []
        self._constructor = yaml.SafeLoader.__new__(yaml.SafeLoader)
        yaml.constructor.SafeConstructor.__init__(self._constructor)

    def _problem(self, node: yaml.Node, code: str, message: str, hint: str = "") -> None:
        mark = node.start_mark
        self.problems.append(FlowProblem(self.filename, mark.line + 1, mark.column + 1,
                                         code, message, hint))

    def walk(self, node: yaml.Node, path: Path) -> Any:
        self.positions[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.walk(item, path + (i,)) for i, item in enumerate(node.value)]
        return self._scalar(node)

    def _mapping(self, node: yaml.MappingNode, path: Path) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag == "tag:yaml.org,2002:merge":
                self._problem(key_node, "YAML_004", "merge keys (<<) are not allowed",
                              "write the keys out in full")
                continue
            key = self._scalar(key_node)
            if not isinstance(key, str):
                key = str(key)
            if key in result:
                first = self.positions.get(path + (key,), (0, 0))
                self._problem(key_node, "YAML_003", f"duplicate key '{key}'",
                              f"it was already given at line {first[0]}; keep one")
                continue
            result[key] = self.walk(value_node, path + (key,))
            self.positions[path + (key,)] = (key_node.start_mark.line + 1,
                                             key_node.start_mark.column + 1)
        return result

    def _scalar(self, node: yaml.Node) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            self._problem(node, "YAML_005", "a key must be a plain value", "")
            return "?"
        if node.tag.startswith("!"):
            self._problem(node, "YAML_006", f"custom tag {node.tag} is not allowed",
                          "remove the tag")
            return node.value
        if node.tag == "tag:yaml.org,2002:timestamp":
            return node.value  # dates stay text in a flow; datasets parse by column type
        try:
            return self._constructor.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError:
            self._problem(node, "YAML_006", f"tag {node.tag} is not allowed", "remove the tag")
            return node.value
