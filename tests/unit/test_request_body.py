"""paygate.api.request_body: the body read once, under limits, before any route sees it."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from paygate.api import request_body
from paygate.api.request_body import MAX_BODY_BYTES, MAX_DEPTH, RequestBody
from paygate.core.errors import BadRequest, PayloadTooLarge, UnsupportedMediaType


def _nested(depth: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth - 1):
        value = [value]
    return value


def _event(raw: bytes) -> dict[str, Any]:
    return {"body": base64.b64encode(raw).decode(), "isBase64Encoded": True}


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), "body"),
        ("[" * 100_000, "body"),  # unbalanced: refused before the parser recurses
        ('{"a":' * 5_000 + "1" + "}" * 5_000, "body"),
        ('{"n": 1' + "0" * 4_300 + "}", "body"),  # int() itself refuses over 4 300 digits
        ('{"n": -1' + "0" * 38 + "}", "body"),
        ('{"n": 1e400}', "body"),
        ('{"n": -Infinity}', "body"),
        ('{"n": NaN}', "body"),
        ('{"a": 1, "a": 1}', "a"),
        ('{"a": {"b": [0, {"c": 1, "c": 2}]}}', "a.b.1.c"),
        ('{"a": "x\\u0000y"}', "a"),
        ('{"a": ["ok", "\\udc00"]}', "a.1"),
        ('{"a\\u0000": 1}', "body"),
        ('{"a": {"\\ud83d": 1}}', "a"),
        ("{'a': 1}", "body"),
        ('\ufeff{"a": 1}', "body"),  # a byte order mark
        ("", "body"),
    ],
)
def test_refused_json_names_the_body_or_the_field(text: str, field: str) -> None:
    with pytest.raises(BadRequest) as refused:
        request_body.parse(text)
    assert refused.value.field == field


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("[" * MAX_DEPTH + "]" * MAX_DEPTH, _nested(MAX_DEPTH)),
        ('{"a": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}', {"a": "[" * 46}),  # brackets in a string
        ('{"a": "\\\\", "b": "\\"[["}', {"a": "\\", "b": '"[['}),  # escapes before quotes
        ('{"n": 1' + "0" * 37 + "}", {"n": 10**37}),
        ('{"emoji": "\\ud83d\\ude00", "e": "é"}', {"emoji": "😀", "e": "é"}),  # a surrogate pair is fine
        ('{"a": "tab\\tnewline\\n"}', {"a": "tab\tnewline\n"}),
    ],
)
def test_accepted_json(text: str, value: Any) -> None:
    assert request_body.parse(text) == value


def test_size_is_counted_in_decoded_bytes() -> None:
    fits = b'{"r": "' + b"r" * (MAX_BODY_BYTES - 9) + b'"}'
    assert len(fits) == MAX_BODY_BYTES
    assert request_body.received(_event(fits)).raw == fits  # base64 is 4/3 of it: not what counts
    with pytest.raises(PayloadTooLarge):
        request_body.received(_event(fits + b" "))
    wide = '{"r": "' + "€" * 11_000 + '"}'  # 11 007 characters, 33 007 bytes
    with pytest.raises(PayloadTooLarge):
        request_body.received({"body": wide, "isBase64Encoded": False})
    with pytest.raises(BadRequest):
        request_body.received({"body": "!!not base64!!", "isBase64Encoded": True})
    assert request_body.received({"body": None}) == RequestBody(None, None)


def test_invalid_utf8_is_refused() -> None:
    for raw in (b'{"a": "\xff"}', b'{"a": "\xed\xa0\x80"}', b'{"a": "\xc3"}'):
        with pytest.raises(BadRequest) as refused:
            request_body.canonical_json(RequestBody(raw, None))
        assert refused.value.field == "body"
    assert request_body.canonical_json(RequestBody('{"a": "é"}'.encode(), None)) == '{"a":"é"}'


@pytest.mark.parametrize(
    ("content_type", "accepted"),
    [
        (None, True),
        ("application/json", True),
        ("APPLICATION/JSON", True),
        ('application/json; charset="UTF-8"', True),
        ("application/json;charset=utf8; boundary=x", True),
        ("application/json; charset=utf-16", False),
        ("application/jsonp", False),
        ("application/json-seq", False),
        ("text/plain", False),
        ("multipart/form-data", False),
    ],
)
def test_media_type(content_type: str | None, accepted: bool) -> None:
    if accepted:
        request_body.check_media_type(content_type)
    else:
        with pytest.raises(UnsupportedMediaType):
            request_body.check_media_type(content_type)


def test_escape_heavy_bodies_are_refused() -> None:
    """Escapes and quotes only, 32 KB of them (the depth scan reads them in one pass)."""
    for text in ('"\\"' * 10_900, '["' + '\\"' * 16_000, "[" * MAX_BODY_BYTES):
        with pytest.raises(BadRequest):
            request_body.parse(text)
