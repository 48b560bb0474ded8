"""Value codecs shared by the store's tables: UTC timestamps and JSON documents.

Fixed tables keep timestamps as naive UTC in the database (the same on SQLite and
PostgreSQL) and hand out timezone-aware UTC datetimes. JSON documents hold plain JSON;
dates become ISO strings. Drafts use a tagged form that round-trips dates, datetimes,
bytes and decimals exactly. This module must not touch a connection.
"""
from __future__ import annotations

import base64
import json
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

UTC = timezone.utc


def to_utc(value: datetime) -> datetime:
    """Aware → UTC; naive is taken to be UTC already."""
    return value.astimezone(UTC) if value.tzinfo is not None else value.replace(tzinfo=UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UtcDateTime(sa.types.TypeDecorator[datetime]):
    """Stored as naive UTC, returned as aware UTC."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return to_utc(value).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


# JSONB on PostgreSQL (indexable, compact), JSON text on SQLite.
Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _plain_default(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"STORE_NOT_JSON:{type(value).__name__}")


def dumps(value: Any) -> str:
    """The engine-wide JSON serializer: dates as ISO strings, non-ASCII kept as is."""
    return json.dumps(value, default=_plain_default, ensure_ascii=False, separators=(",", ":"))


_DECODER = json.JSONDecoder()
_DECODE, _SCAN = _DECODER.decode, _DECODER.scan_once


def pg_loads(data: bytes | memoryview | str) -> Any:
    """The PostgreSQL engine's JSON deserializer (psycopg hands it each json/jsonb value as
    UTF-8 bytes): json.loads without its checks and encoding detection per value, a third
    of its time on the small objects every listed row and exported row decodes. A value that
    starts with its document and ends with it (what PostgreSQL writes) is read by the decoder's
    C scanner alone, without `decode`'s two Python frames and whitespace matches (the
    dashboard's three documents per request, issue 10); anything else (leading or trailing
    whitespace, trailing text, invalid) goes through `decode`, which reads or refuses it as
    json.loads does."""
    text = data.decode() if isinstance(data, bytes) else data if isinstance(data, str) else bytes(data).decode()
    try:
        value, end = _SCAN(text, 0)
    except StopIteration:
        return _DECODE(text)
    return value if end == len(text) else _DECODE(text)


_TAGS = ("$date", "$datetime", "$bytes", "$decimal")
_MAP = "$map"   # wraps a user mapping that would otherwise read as a tag


def tag(value: Any) -> Any:
    """Turn a Python value into JSON-safe data that `untag` restores exactly."""
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"$bytes": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, dict):
        tagged = {str(k): v if type(v) in _PLAIN else tag(v) for k, v in value.items()}
        return {_MAP: tagged} if len(tagged) == 1 and next(iter(tagged)) in (*_TAGS, _MAP) else tagged
    if isinstance(value, (list, tuple, set, frozenset)):
        return [v if type(v) in _PLAIN else tag(v) for v in value]
    return value


# Values that tag and untag hand back as they are, looked at without a call: most of a draft
# (a wizard draft is some forty answers, each read on every request: issue 10).
_PLAIN = frozenset({str, int, float, bool, type(None)})


def untag(value: Any) -> Any:
    if isinstance(value, dict):
        if len(value) == 1:
            (key, raw), = value.items()
            if key in _TAGS and isinstance(raw, str):
                return _untag_scalar(key, raw)
            if key == _MAP and isinstance(raw, dict):
                return {k: v if type(v) in _PLAIN else untag(v) for k, v in raw.items()}
        return {k: v if type(v) in _PLAIN else untag(v) for k, v in value.items()}
    if isinstance(value, list):
        return [v if type(v) in _PLAIN else untag(v) for v in value]
    return value


def _untag_scalar(key: str, raw: str) -> Any:
    if key == "$datetime":
        return datetime.fromisoformat(raw)
    if key == "$date":
        return date.fromisoformat(raw)
    if key == "$bytes":
        return base64.b64decode(raw)
    return Decimal(raw)
