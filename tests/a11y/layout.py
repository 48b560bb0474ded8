"""What axe does not measure about a page's layout, measured in the browser:

- tap targets on a phone (375 px): every control a finger presses is at least 44 × 44 CSS px
  (适老化; WCAG 2.5.5 asks 44, 2.5.8 AA asks 24). A radio button or checkbox counts with its
  label (pressing the label chooses it). Links inside running text are exempt, as WCAG's
  "inline" exception says;
- reflow (WCAG 1.4.10): at 320 px wide nothing sticks out to the right, no horizontal scroll;
- text at 200 % (WCAG 1.4.4): the browser's text size doubled (Page.setFontSizes, what the
  text-size setting does), at 1280 and at 375 px, again no horizontal scroll;
- text spacing (WCAG 1.4.12): with the text-spacing bookmarklet's style (line height 1.5,
  paragraph spacing 2em, letter spacing 0.12em, word spacing 0.16em) at 1280 and at 375 px,
  no text is cut off: no element that clips (overflow hidden/clip, or text-overflow) has more
  content than room, no box's text runs out of it (where it would overlap the next), and no
  horizontal scroll.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from webdriver import Chrome

MIN_TARGET = 44

_TARGETS = r"""
var min = arguments[0], small = [];
function visible(e) {
  var r = e.getBoundingClientRect(), s = getComputedStyle(e);
  return r.width > 1 && r.height > 1 && s.visibility !== 'hidden' && !e.closest('.visually-hidden, .skip, [hidden]');
}
function inline(a) {
  var block = a.parentElement;
  while (block && getComputedStyle(block).display.indexOf('inline') === 0) { block = block.parentElement; }
  return block && block.textContent.trim() !== a.textContent.trim();
}
document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary').forEach(function (e) {
  var box = e;
  if (e.type === 'radio' || e.type === 'checkbox') { box = (e.labels && e.labels[0]) || e; }
  if (!visible(box) || (e.tagName === 'A' && inline(e))) { return; }
  var r = box.getBoundingClientRect();
  if (r.height < min - 0.5 || r.width < min - 0.5) {
    small.push((e.id ? '#' + e.id : e.tagName.toLowerCase() + (e.className ? '.' + e.className : '')) +
               ' "' + (e.innerText || e.value || '').trim().slice(0, 20) + '" ' +
               Math.round(r.width) + 'x' + Math.round(r.height));
  }
});
return small;
"""

_OVERFLOW = r"""
var width = document.documentElement.clientWidth, out = [];
if (document.documentElement.scrollWidth <= width) { return out; }
document.querySelectorAll('body *').forEach(function (e) {
  var r = e.getBoundingClientRect();
  if (r.right > width + 1 && r.width > 0 && !e.closest('.table-wrap')) {
    out.push(e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + e.className : '') +
             ' right=' + Math.round(r.right));
  }
});
return ['scrollWidth ' + document.documentElement.scrollWidth + ' > ' + width].concat(out.slice(0, 5));
"""


# The text-spacing bookmarklet's rules (WCAG 1.4.12's four values), as a constructed style sheet
# (the CSP forbids inline <style>, not the CSSOM), then every element whose text no longer fits.
TEXT_SPACING = r"""
var sheet = new CSSStyleSheet();
sheet.replaceSync('* { line-height: 1.5 !important; letter-spacing: 0.12em !important;' +
                  ' word-spacing: 0.16em !important; } p { margin-bottom: 2em !important; }');
document.adoptedStyleSheets = [sheet];
var out = [];
function named(e) {
  return e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
         (typeof e.className === 'string' && e.className ? '.' + e.className.split(' ').join('.') : '');
}
function hasText(e) {
  for (var n = e.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 3 && n.textContent.trim()) { return true; }
  }
  return false;
}
document.querySelectorAll('body *').forEach(function (e) {
  var s = getComputedStyle(e), r = e.getBoundingClientRect();
  if (r.width < 2 || r.height < 2 || s.visibility === 'hidden' || e.closest('.visually-hidden, [hidden], .table-wrap')) {
    return;
  }
  if (!e.textContent.trim() || ['svg', 'img', 'input', 'select', 'textarea', 'option'].indexOf(e.tagName.toLowerCase()) >= 0) {
    return;
  }
  var clips = /hidden|clip/.test(s.overflowX + s.overflowY) || s.textOverflow === 'ellipsis';
  var wide = e.scrollWidth > e.clientWidth + 1, tall = e.scrollHeight > e.clientHeight + 1;
  if (clips && (wide || tall)) {
    out.push('clipped ' + named(e) + ' ' + e.scrollWidth + 'x' + e.scrollHeight + ' in ' + e.clientWidth + 'x' + e.clientHeight);
  } else if (hasText(e) && s.display !== 'inline' && e.clientHeight > 0 && (tall || wide) && s.overflowY !== 'auto' && s.overflowX !== 'auto') {
    out.push('runs out of its box ' + named(e) + ' ' + e.scrollWidth + 'x' + e.scrollHeight + ' in ' + e.clientWidth + 'x' + e.clientHeight);
  }
});
return out.slice(0, 8);
"""

NO_TEXT_SPACING = "document.adoptedStyleSheets = [];"


def set_text_size(chrome: Chrome, percent: int) -> None:
    chrome.cmd("POST", "/goog/cdp/execute", {"cmd": "Page.setFontSizes",
                                             "params": {"fontSizes": {"standard": 16 * percent // 100}}})


@dataclass
class Layout:
    problems: list[str] = field(default_factory=list)

    def check(self, chrome: Chrome, page: str) -> None:
        chrome.resize(375, 900)
        self.problems += [f"{page} @375px: target {t} < {MIN_TARGET}px" for t in chrome.script(_TARGETS, MIN_TARGET)]
        chrome.resize(320, 900)
        self.problems += [f"{page} @320px: {o}" for o in chrome.script(_OVERFLOW)]
        set_text_size(chrome, 200)
        for width in (1280, 375):
            chrome.resize(width, 900)
            self.problems += [f"{page} @{width}px text 200%: {o}" for o in chrome.script(_OVERFLOW)]
        set_text_size(chrome, 100)
        for width in (1280, 375):
            chrome.resize(width, 900)
            self.problems += [f"{page} @{width}px text spacing: {o}" for o in chrome.script(TEXT_SPACING)]
            self.problems += [f"{page} @{width}px text spacing: {o}" for o in chrome.script(_OVERFLOW)]
        chrome.script(NO_TEXT_SPACING)
        chrome.resize(1280, 900)
