"""axe-core in the browser the tests drive: inject `axe.min.js` (installed by
scripts/bootstrap.sh from npm, pinned) into the current page, run the WCAG 2.0/2.1/2.2 A and
AA rules, and collect each violation as (page, width, scripts, rule, element)."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from webdriver import Chrome

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / ".venv" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
OUTPUT = ROOT / "test-output" / "a11y"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

_RUN = """
var done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: ['violations']})
  .then(function (r) { done(r.violations.map(function (v) {
      return {rule: v.id, impact: v.impact, help: v.help, tags: v.tags,
              nodes: v.nodes.map(function (n) { return {target: n.target.join(' '), html: n.html.slice(0, 300),
                                                       summary: n.failureSummary}; })}; })); })
  .catch(function (e) { done([{rule: 'axe-error', impact: 'critical', help: String(e), tags: [], nodes: []}]); });
"""


def axe_source() -> str:
    if not AXE.exists():
        raise AssertionError(f"{AXE} is missing: run scripts/bootstrap.sh (it installs axe-core from npm)")
    return AXE.read_text(encoding="utf-8")


@dataclass
class Violation:
    page: str
    width: int
    scripts: bool
    rule: str
    impact: str
    help: str
    target: str
    html: str

    def line(self) -> str:
        mode = "js" if self.scripts else "no-js"
        return f"{self.page} @{self.width}px {mode}: {self.rule} ({self.impact}) {self.target} — {self.help}"


@dataclass
class Audit:
    """Every page checked in one run, and what axe found on it."""

    name: str
    pages: list[str] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)

    def check(self, chrome: Chrome, page: str, widths: tuple[int, ...] = (1280, 375), scripts: bool = True) -> list[Violation]:
        """axe on what the browser shows now, at each width (the window is resized, the page kept)."""
        found: list[Violation] = []
        for width in widths:
            chrome.resize(width, 900)
            found += [Violation(page, width, scripts, v["rule"], v["impact"] or "", v["help"], n["target"], n["html"])
                      for v in run_axe(chrome) for n in (v["nodes"] or [{"target": "", "html": ""}])]
        chrome.resize(1280, 900)
        self.pages.append(f"{page} ({'js' if scripts else 'no-js'})")
        self.violations += found
        return found

    def write(self) -> Path:
        OUTPUT.mkdir(parents=True, exist_ok=True)
        path = OUTPUT / f"axe-{self.name}.json"
        path.write_text(json.dumps({"tags": TAGS, "pages": self.pages,
                                    "violations": [vars(v) for v in self.violations]},
                                   ensure_ascii=False, indent=1), encoding="utf-8")
        (OUTPUT / f"axe-{self.name}.txt").write_text(
            f"{len(self.pages)} pages, {len(self.violations)} violations\n"
            + "".join(v.line() + "\n" for v in self.violations), encoding="utf-8")
        return path


def run_axe(chrome: Chrome) -> list[dict[str, Any]]:
    if not chrome.script("return typeof window.axe === 'object';"):
        chrome.script(axe_source())
    return chrome.cmd("POST", "/execute/async", {"script": _RUN, "args": [TAGS]})
