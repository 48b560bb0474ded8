"""Uploaded images between the engine's answers and the store's `uploads` table.

The engine's answers hold an `ImageValue`; its bytes are there only while the upload is
fresh. `keep` puts fresh bytes in the store (when a draft is saved, before an application is
made); `with_data` gives the answers back with each image's bytes read from the store (for the
printed form); `image_of` is one answer's bytes for the staff page. Takes the flow and the
store, never a web context.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping

from engine import Flow, ImageValue
from store import uploads


def image_fields(flow: Flow) -> list[str]:
    """The fields whose answer is an uploaded image."""
    return [f.id for f in flow.fields.values() if f.kind.kind == "image" and f.kind.input]


def keep(flow: Flow, store: Any, answers: Mapping[str, Any], now: datetime) -> int:
    """Store the bytes of every fresh upload among the answers; returns how many were given."""
    kept = 0
    for field_id in image_fields(flow):
        value = answers.get(field_id)
        if isinstance(value, ImageValue) and value.data is not None:
            uploads.put(store, value.digest, value.media_type, value.data, now)
            kept += 1
    return kept


def with_data(flow: Flow, store: Any, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers with each uploaded image's bytes read back from the store."""
    found = dict(answers)
    for field_id in image_fields(flow):
        value = found.get(field_id)
        if isinstance(value, ImageValue) and value.data is None:
            stored = uploads.get(store, value.digest)
            found[field_id] = value.with_data(stored[0]) if stored is not None else value
    return found


def image_of(flow: Flow, store: Any, answers: Mapping[str, Any], field_id: str) -> tuple[bytes, str] | None:
    """(bytes, media type) of one image answer, or None (not an image field, not answered, not kept)."""
    if field_id not in image_fields(flow):
        return None
    value = answers.get(field_id)
    if isinstance(value, Mapping) and isinstance(value.get("image"), str):
        return uploads.get(store, value["image"])
    if isinstance(value, ImageValue):
        return uploads.get(store, value.digest)
    return None
