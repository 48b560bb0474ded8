"""The keyboard as a person uses it, through WebDriver's actions (real key events: Tab moves
the browser's focus, Enter and Space activate what has it). Every stop is recorded with
what the focus ring looks like there, so a test can check order, visibility and traps.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from webdriver import Chrome

TAB, ENTER, SPACE, ESCAPE, SHIFT = "\ue004", "\ue007", "\ue00d", "\ue00c", "\ue008"
DOWN, UP, RIGHT = "\ue015", "\ue013", "\ue014"

# What has the focus, where it is in the document, and the colours of its focus indicator
# against what is behind it (the first ancestor with an opaque background).
_FOCUSED = r"""
var e = document.activeElement;
if (!e || e === document.body) { return null; }
var all = Array.prototype.slice.call(document.querySelectorAll('*'));
var s = getComputedStyle(e);
function bg(n) {
  for (; n && n.nodeType === 1; n = n.parentElement) {
    var c = getComputedStyle(n).backgroundColor;
    if (c && c !== 'transparent' && !/rgba\(.*, 0\)$/.test(c)) { return c; }
  }
  return 'rgb(255, 255, 255)';
}
var shadow = (s.boxShadow.match(/rgba?\([^)]*\)/) || [null])[0];
var r = e.getBoundingClientRect();
return {tag: e.tagName.toLowerCase(), id: e.id, name: e.getAttribute('name') || '', type: e.type || '',
        value: e.value || '', href: e.getAttribute('href') || '', text: (e.innerText || '').trim().slice(0, 40),
        index: all.indexOf(e), outline: s.outlineStyle !== 'none' ? s.outlineColor : null,
        outlineWidth: parseFloat(s.outlineWidth) || 0, shadow: shadow, behind: bg(e.parentElement),
        inDialog: !!e.closest('dialog'), visible: r.width > 0 && r.height > 0,
        onScreen: r.bottom > 0 && r.top < window.innerHeight};
"""


def _rgb(text: str) -> tuple[float, ...]:
    parts = [float(p) for p in text[text.index("(") + 1:text.index(")")].split(",")]
    return tuple(parts[:3])


def luminance(rgb: tuple[float, ...]) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(_rgb(a)), luminance(_rgb(b))), reverse=True)
    return (la + 0.05) / (lb + 0.05)


@dataclass
class Stop:
    info: dict[str, Any]

    @property
    def ring_contrast(self) -> float:
        """The better of the outline's and the focus shadow's contrast with what is behind."""
        behind = self.info["behind"]
        found = [contrast(c, behind) for c in (self.info["outline"], self.info["shadow"]) if c]
        return max(found, default=1.0)

    def __str__(self) -> str:
        i = self.info
        return f"<{i['tag']} id={i['id']!r} name={i['name']!r} href={i['href']!r}> {i['text']!r}"


class Keyboard:
    def __init__(self, chrome: Chrome):
        self.chrome = chrome
        self.stops: list[Stop] = []

    def press(self, *keys: str) -> None:
        """Each key down and up in turn; SHIFT is held for the key after it."""
        actions: list[dict[str, str]] = []
        held = False
        for key in keys:
            if key == SHIFT:
                actions.append({"type": "keyDown", "value": SHIFT})
                held = True
                continue
            actions += [{"type": "keyDown", "value": key}, {"type": "keyUp", "value": key}]
            if held:
                actions.append({"type": "keyUp", "value": SHIFT})
                held = False
        self.chrome.cmd("POST", "/actions", {"actions": [{"type": "key", "id": "keyboard", "actions": actions}]})

    def type(self, text: str) -> None:
        self.press(*text)

    def focused(self) -> Stop | None:
        info = self.chrome.script(_FOCUSED)
        return Stop(info) if info else None

    def tab_to(self, css: str, limit: int = 80, backwards: bool = False) -> Stop:
        """Tab (or Shift+Tab) until the focus is on an element matching `css`; every stop is kept."""
        for _ in range(limit):
            self.press(*((SHIFT, TAB) if backwards else (TAB,)))
            stop = self.focused()
            if stop is not None:
                self.stops.append(stop)
            if self.chrome.script("var e = document.activeElement; return !!e && e.matches(arguments[0]);", css):
                assert stop is not None
                return stop
        raise AssertionError(f"{css} not reached in {limit} Tabs; stops: " + "; ".join(map(str, self.stops[-limit:])))

    def choose(self, css: str, wanted: str, key: str = DOWN, limit: int = 60) -> None:
        """With the focus on a <select> or a radio group, arrow keys until `wanted` is chosen."""
        for _ in range(limit):
            if self.chrome.script("return document.activeElement.matches(arguments[0]) && "
                                  "(document.activeElement.type === 'radio' ? document.activeElement.checked &&"
                                  " document.activeElement.value === arguments[1] :"
                                  " document.activeElement.value === arguments[1]);", css, wanted):
                return
            self.press(key)
        raise AssertionError(f"{wanted} not chosen in {css} with the arrow keys")

    def page_start(self) -> None:
        """Start as a new page does: nothing focused, the next Tab goes to the first stop."""
        self.chrome.script("if (document.activeElement) { document.activeElement.blur(); }"
                           "window.getSelection().removeAllRanges();")
        self.stops = []
