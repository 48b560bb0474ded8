"""The locale catalogue: message keys → text, with {placeholders} filled in.

Reads locales/<lang>/messages.yaml (a flat mapping). Every piece of user-facing text goes
through `Catalog.text`; a missing key is shown as the key itself in brackets so it is
noticed, never as a crash.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator, Mapping

import yaml

from engine import Flow, format_value

from .paths import LOCALES


class _Replaced(Mapping[str, str]):
    """The catalogue with a flow's `flow.texts` applied: a product key reads the text of the
    flow's own key. A view (nothing copied), so it is cheap to make for every request."""

    def __init__(self, base: Mapping[str, str], texts: Mapping[str, str]):
        self.base, self.texts = base, texts

    def __getitem__(self, key: str) -> str:
        own = self.texts.get(key)
        if own is not None and own in self.base:
            return self.base[own]
        return self.base[key]

    def __contains__(self, key: object) -> bool:
        return key in self.base

    def __iter__(self) -> Iterator[str]:
        return iter(self.base)

    def __len__(self) -> int:
        return len(self.base)


class _Params(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@dataclass(frozen=True)
class Catalog:
    lang: str
    messages: Mapping[str, str]

    plain: Catalog | None = field(default=None, compare=False, repr=False)  # what for_flow started from
    _views: dict[tuple[tuple[str, str], ...], Catalog] = field(default_factory=dict, compare=False, repr=False)

    def for_flow(self, flow: Flow) -> Catalog:
        """This catalogue as one flow words it: the product texts it replaces (`flow.texts`,
        e.g. app.name → its own system name) read its own keys. Applying it again, or for
        another flow, starts from the plain catalogue; the same texts give the same object
        (pages that keep their wording while the catalogue is the same keep it)."""
        plain = self.plain or self
        if not flow.texts:
            return plain
        key = tuple(flow.texts.items())
        found = plain._views.get(key)
        if found is None:
            found = plain._views[key] = Catalog(plain.lang, _Replaced(plain.messages, flow.texts), plain)
        return found

    def has(self, key: str) -> bool:
        return key in self.messages

    def text(self, key: str, **params: Any) -> str:
        template = self.messages.get(key)
        if template is None:
            return f"[{key}]"
        if not params and "{" not in template:
            return template
        # str.format_map: string.Formatter().vformat's grammar and result, in C (a missing
        # placeholder stays as written: _Params)
        return template.format_map(_Params({k: self._param(k, v) for k, v in params.items()}))

    def _param(self, name: str, value: Any) -> str:
        """Parameters named `*_label` hold message keys (e.g. another field's label): show their text."""
        if name.endswith("_label") and isinstance(value, str) and value in self.messages:
            return self.messages[value]
        return format_value(value)

    def first(self, keys: list[str], **params: Any) -> str:
        """Text of the first key that exists (e.g. a field-specific message, then the generic one)."""
        for key in keys:
            if key in self.messages:
                return self.text(key, **params)
        return self.text(keys[-1], **params)


@lru_cache(maxsize=4)
def load_catalog(lang: str = "zh_CN", root: Path = LOCALES) -> Catalog:
    path = root / lang / "messages.yaml"
    with path.open(encoding="utf-8") as handle:
        messages = yaml.safe_load(handle) or {}
    return Catalog(lang, {str(k): str(v).rstrip("\n") for k, v in messages.items()})
