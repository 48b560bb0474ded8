"""The locale catalogue: message keys → text, with {placeholders} filled in.

Reads locales/<lang>/messages.yaml (a flat mapping). Every piece of user-facing text goes
through `Catalog.text`; a missing key is shown as the key itself in brackets so it is
noticed, never as a crash.
"""
from __future__ import annotations

import string
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

import yaml

from engine import format_value

from .paths import LOCALES


class _Params(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@dataclass(frozen=True)
class Catalog:
    lang: str
    messages: Mapping[str, str]

    def has(self, key: str) -> bool:
        return key in self.messages

    def text(self, key: str, **params: Any) -> str:
        template = self.messages.get(key)
        if template is None:
            return f"[{key}]"
        if not params and "{" not in template:
            return template
        values = _Params({k: self._param(k, v) for k, v in params.items()})
        return string.Formatter().vformat(template, (), values)

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
