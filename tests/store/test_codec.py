"""store/codec.py: the PostgreSQL JSON deserializer reads what json.loads reads, and refuses
what it refuses (its fast path is the decoder's C scanner alone)."""
from __future__ import annotations

import json

import pytest

from store.codec import pg_loads

SAME = ['{"a":"b"}', '{ "agency" : "bj_haidian", "point" : "p1" }', '[1, 2.5, null, true]', '"王晓燕"',
        '{"k":{"nested":[{"x":"\\u738b"}]}}', '{}', '[]', '12', '-0.5e3', 'null', 'NaN',
        ' {"a":1}', '{"a":1} ', '\n[1]\n', '{"a":1}\t']
REFUSED = ['{"a":1} x', '{"a":1}{"b":2}', '', '   ', '{"a":', '[1,]', "{'a':1}", '"\x01"']


@pytest.mark.parametrize("text", SAME)
@pytest.mark.parametrize("kind", [str, bytes, memoryview])
def test_pg_loads_reads_as_json_loads(text: str, kind: type) -> None:
    data = text if kind is str else kind(text.encode())
    assert pg_loads(data) == json.loads(text) or text == "NaN"


@pytest.mark.parametrize("text", REFUSED)
def test_pg_loads_refuses_as_json_loads(text: str) -> None:
    with pytest.raises(json.JSONDecodeError):
        json.loads(text)
    with pytest.raises(json.JSONDecodeError):
        pg_loads(text.encode())
