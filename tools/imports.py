"""Print the import graph of the project's packages (or modules) and its cycles, read with `ast`.

    .venv/bin/python tools/imports.py            # package graph, cycles, imports inside functions
    .venv/bin/python tools/imports.py --modules  # the same between modules
    .venv/bin/python tools/imports.py --check    # exit 1 on a crossing of tools/layers.toml
    .venv/bin/python tools/imports.py --readme   # README's Layout block, drawn from the table

Nothing is imported or executed: every `.py` file under the code folders is parsed, relative
imports are resolved, and `from package import name` counts as an import of the module
`package.name` when that file exists. Imports under `if TYPE_CHECKING:` and inside functions
are part of the graph (they are how a cycle hides) and are listed separately.
"""
from __future__ import annotations

import argparse
import ast
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TABLE = Path(__file__).resolve().with_name("layers.toml")
SPLIT = {"renderers"}  # folders whose sub-packages are packages of their own (renderers.web, ...)


def load_table(path: Path = TABLE) -> list[dict[str, Any]]:
    """The folders of tools/layers.toml, in order."""
    return tomllib.loads(path.read_text(encoding="utf-8"))["folder"]


def packages(table: list[dict[str, Any]] | None = None) -> dict[str, dict[str, Any]]:
    """package → its entry, for the folders that are code packages."""
    return {f["package"]: f for f in (table or load_table()) if "package" in f}


CODE = tuple(dict.fromkeys(name.split(".")[0] for name in packages()))


@dataclass(frozen=True)
class Import:
    source: str      # importing module
    target: str      # imported module (one of ours)
    line: int
    where: str       # "top", "function" or "type_checking"
    written: str = ""             # the module as the statement names it (`from store import x`: store)
    names: tuple[str, ...] = ()   # the names a `from ... import` statement takes


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def package_of(module: str) -> str:
    bits = module.split(".")
    return ".".join(bits[:2]) if bits[0] in SPLIT and len(bits) > 1 else bits[0]


def code_files(root: Path = ROOT, folders=CODE) -> list[Path]:
    found = []
    for folder in folders:
        found += [p for p in (root / folder).rglob("*.py")
                  if "__pycache__" not in p.parts and "migrations" not in p.parts]
    return sorted(found)


def _type_checking(node: ast.AST) -> bool:
    test = node.test if isinstance(node, ast.If) else None
    return isinstance(test, ast.Name) and test.id == "TYPE_CHECKING" or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _walk(node: ast.AST, where: str):
    """Yield (import node, where) with the innermost context that holds it."""
    for child in ast.iter_child_nodes(node):
        inner = where
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            inner = "function"
        elif where == "top" and isinstance(child, ast.If) and _type_checking(child):
            inner = "type_checking"
        if isinstance(child, (ast.Import, ast.ImportFrom)):
            yield child, inner
        yield from _walk(child, inner)


def imports_of(path: Path, modules: set[str], root: Path = ROOT, text: str | None = None) -> list[Import]:
    """Every import of one of `modules` made by the file at `path`."""
    me = module_name(path, root)
    package = me.split(".") if path.name == "__init__.py" else me.split(".")[:-1]
    tree = ast.parse(path.read_text(encoding="utf-8") if text is None else text)
    found = []
    for node, where in _walk(tree, "top"):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
            written, names = "", ()
        else:
            base = package[:len(package) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            subs = [f"{module}.{a.name}" if module else a.name for a in node.names]
            written, names = module, tuple(a.name for a in node.names)
            targets = [s for s in subs if s in modules]
            if len(targets) < len(subs):
                targets.append(module)  # names that are not submodules come from the module itself
        for target in dict.fromkeys(targets):
            while target and target not in modules and "." in target:
                target = target.rsplit(".", 1)[0]
            if target in modules and target != me:
                found.append(Import(me, target, node.lineno, where, written or target, names))
    return found


def hidden_imports(root: Path = ROOT, folders=CODE) -> list[str]:
    """Every import of any module (ours or a library) made inside a function or under
    TYPE_CHECKING, and every `import_module(...)` call: the places a dependency hides."""
    found = []
    for path in code_files(root, folders):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        name = path.relative_to(root)
        for node, where in _walk(tree, "top"):
            if where != "top":
                what = (", ".join(a.name for a in node.names) if isinstance(node, ast.Import)
                        else "." * node.level + (node.module or "") + " import " + ", ".join(a.name for a in node.names))
                found.append(f"{name}:{node.lineno} ({where}) {what}")
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module":
                found.append(f"{name}:{node.lineno} (dynamic) import_module({ast.unparse(node.args[0]) if node.args else ''})")
    return sorted(found, key=lambda s: (s.split(":")[0], int(s.split(":")[1].split(" ")[0])))


def all_imports(root: Path = ROOT, folders=CODE) -> list[Import]:
    files = code_files(root, folders)
    modules = {module_name(p, root) for p in files}
    modules |= {m.rsplit(".", 1)[0] for m in modules if "." in m}  # namespace packages
    return [imp for path in files for imp in imports_of(path, modules, root)]


def graph(imports: list[Import], packages: bool) -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for imp in imports:
        a, b = (package_of(imp.source), package_of(imp.target)) if packages else (imp.source, imp.target)
        edges.setdefault(a, set())
        edges.setdefault(b, set())
        if a != b:
            edges[a].add(b)
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one member (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(10000)
    for node in sorted(edges):
        if node not in index:
            visit(node)
    return sorted(found)


def report(imports: list[Import], packages: bool) -> list[str]:
    edges = graph(imports, packages)
    lines = [f"# import graph between {'packages' if packages else 'modules'}"]
    for node in sorted(edges):
        lines.append(f"{node} -> {', '.join(sorted(edges[node])) or '(nothing of ours)'}")
    found = cycles(edges)
    lines.append(f"# cycles: {len(found)}")
    lines += ["  " + " <-> ".join(c) for c in found]
    hidden = [i for i in imports if i.where != "top"]
    lines.append(f"# imports of our own modules inside functions or under TYPE_CHECKING: {len(hidden)}")
    lines += [f"  {i.source.replace('.', '/')}.py:{i.line} ({i.where}) -> {i.target}" for i in hidden]
    return lines


def public_names(package: str, root: Path = ROOT) -> set[str]:
    """The `__all__` of a package's `__init__.py`, read with `ast`."""
    init = root.joinpath(*package.split("."), "__init__.py")
    for node in ast.parse(init.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "__all__" for t in node.targets):
            return set(ast.literal_eval(node.value))
    return set()


def crossings(imports: list[Import], table: list[dict[str, Any]] | None = None,
              public: dict[str, set[str]] | None = None) -> list[str]:
    """Every import that the table forbids: a direction not listed, a module that belongs to
    no package of the table, or a non-public name of a `public` package."""
    known = packages(table)
    public = public if public is not None else {p: public_names(p) for p, f in known.items() if f.get("public")}
    found = []
    for imp in imports:
        mine, theirs = package_of(imp.source), package_of(imp.target)
        where = f"{imp.source.replace('.', '/')}.py:{imp.line}"
        if mine not in known:
            found.append(f"{where}: {mine} is not a package of tools/layers.toml")
        elif theirs != mine and theirs not in known[mine].get("imports", []):
            found.append(f"{where}: {mine} may not import {theirs} ({imp.target})")
        elif theirs != mine and theirs in public and imp.written != theirs:
            found.append(f"{where}: imports {imp.written or imp.target}; use `from {theirs} import ...`")
        elif theirs != mine and theirs in public:
            found += [f"{where}: imports {theirs}.{n}, not a public name of {theirs}"
                      for n in imp.names if n not in public[theirs]]
    return found


def readme_block(table: list[dict[str, Any]] | None = None) -> str:
    """The fenced block of README's Layout section."""
    rows = table or load_table()
    width = max(len(f["path"]) for f in rows) + 3
    lines = [f"{f['path']:<{width}}{f['what']}" for f in rows]
    order = "  →  ".join(" · ".join(group) for group in _tiers(packages(rows)))
    return "```\n" + "\n".join(lines) + "\n```\n\nImports point down only: " + order + "\n"


def _tiers(known: dict[str, dict[str, Any]]) -> list[list[str]]:
    """The packages grouped top-down: each tier imports only tiers below it."""
    left, tiers = dict(known), []
    while left:
        tier = [p for p in left if not any(p in left[q].get("imports", []) for q in left)]
        if not tier:  # a cycle in the table itself
            return tiers + [sorted(left)]
        tiers.append(tier)
        for p in tier:
            del left[p]
    return tiers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="print the import graph and its cycles")
    parser.add_argument("--modules", action="store_true", help="between modules instead of packages")
    parser.add_argument("--check", action="store_true", help="list the crossings of tools/layers.toml; exit 1 if any")
    parser.add_argument("--readme", action="store_true", help="print README's Layout block, drawn from the table")
    args = parser.parse_args(argv)
    if args.readme:
        print(readme_block(), end="")
        return 0
    if args.check:
        found = crossings(all_imports()) + [" <-> ".join(c) for c in cycles(graph(all_imports(), False))]
        print("\n".join(found) or "ok: no crossing, no cycle")
        return 1 if found else 0
    print("\n".join(report(all_imports(), packages=not args.modules)))
    hidden = hidden_imports()
    print(f"# every import inside a function or under TYPE_CHECKING, and every import_module call: {len(hidden)}")
    print("\n".join("  " + h for h in hidden))
    return 0


if __name__ == "__main__":
    sys.exit(main())
