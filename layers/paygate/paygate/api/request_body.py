"""The request body, read once and safely before any route sees it.

The API Gateway stage passes every body that has a Content-Type base64-encoded (``BinaryMediaTypes:
*/*`` in template.yaml), so this module sees the bytes the client sent: it counts them (the 32 KB cap is
in bytes, not characters), decodes them as strict UTF-8, and parses them as JSON with limits that make
every pathological input a 400 instead of an exception deep inside a parser:

- nesting deeper than ``MAX_DEPTH`` (Python's parser would raise ``RecursionError``);
- an integer longer than ``MAX_INT_DIGITS`` digits (``int()`` refuses more than 4,300 digits with a
  ``ValueError``, and is quadratic below that); ``NaN``/``Infinity`` and floats that overflow;
- a key twice in one object (``json.loads`` keeps the last one silently);
- NUL or a lone UTF-16 surrogate (``"\\ud800"``) in any string, key or value: they cannot be stored as
  UTF-8 and NUL truncates strings in many systems downstream.

What leaves is the same JSON, re-serialised: Powertools parses that canonical text for validation, so
no second parser ever sees the client's bytes.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from dataclasses import dataclass
from typing import Any

from paygate.core.errors import BadRequest, PayloadTooLarge, UnsupportedMediaType

MAX_BODY_BYTES = 32 * 1024
MAX_DEPTH = 32
"""Objects and arrays inside each other; the deepest body any route takes has 3 levels."""
MAX_INT_DIGITS = 38
"""DynamoDB keeps 38 significant digits: a longer integer could not be stored as sent anyway."""
FIELD = "body"
JSON_MEDIA_TYPE = "application/json"
UTF8_NAMES = ("utf-8", "utf8")

_SPECIAL = re.compile(r'[\[\]{}"\\]')
_BAD_CHARS = re.compile("[\x00\ud800-\udfff]")


@dataclass(frozen=True)
class RequestBody:
    """The body as the client sent it: bytes, or the text of a body API Gateway passed as text."""

    raw: bytes | None
    text: str | None


def received(event: dict[str, Any]) -> RequestBody:
    """The body, refused with 413 when it is over ``MAX_BODY_BYTES`` bytes (decoded size)."""
    body = event.get("body")
    if not body:
        return RequestBody(None, None)
    if not isinstance(body, str):
        raise BadRequest("the request body must be text", FIELD)
    if not event.get("isBase64Encoded"):
        # no Content-Type: API Gateway passes it as text; its UTF-8 size is what the client sent
        if len(body.encode("utf-8", "surrogatepass")) > MAX_BODY_BYTES:
            raise _too_large()
        return RequestBody(None, body)
    if len(body) > 4 * (MAX_BODY_BYTES // 3 + 1):  # no need to decode what cannot fit
        raise _too_large()
    try:
        raw = base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise BadRequest("the request body is not valid base64", FIELD) from exc
    if len(raw) > MAX_BODY_BYTES:
        raise _too_large()
    return RequestBody(raw, None)


def _too_large() -> PayloadTooLarge:
    return PayloadTooLarge(f"request body is larger than {MAX_BODY_BYTES} bytes", FIELD)


def check_media_type(content_type: str | None) -> None:
    """``application/json`` in any letter case, with no charset or a UTF-8 one (RFC 8259 section 8.1:
    JSON between systems is UTF-8). No Content-Type at all is read as JSON, as Powertools reads it."""
    if not content_type or not content_type.strip():
        return
    media_type, *parameters = content_type.split(";")
    if media_type.strip().lower() != JSON_MEDIA_TYPE:
        raise UnsupportedMediaType("send the body as Content-Type: application/json", FIELD)
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() not in UTF8_NAMES:
            raise UnsupportedMediaType("the body must be UTF-8 (charset=utf-8 or no charset)", FIELD)


def canonical_json(body: RequestBody) -> str | None:
    """The body parsed under the limits above and serialised again; ``None`` without a body."""
    if body.raw is not None:
        try:
            text = body.raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise BadRequest(f"the request body is not valid UTF-8 (byte {exc.start})", FIELD) from exc
    else:
        text = body.text
    if text is None:
        return None
    return json.dumps(parse(text), ensure_ascii=False, separators=(",", ":"))


def parse(text: str) -> Any:
    """JSON text to plain values, or a 400: naming ``body`` for what is wrong with the text as a
    whole, the field's dotted path for a duplicate key or a bad string."""
    _check_depth(text)
    try:
        parsed = json.loads(
            text,
            object_pairs_hook=_Pairs,
            parse_int=_integer,
            parse_float=_float,
            parse_constant=_constant,
        )
    except json.JSONDecodeError as exc:
        raise BadRequest(f"the request body is not valid JSON: {exc.msg} at {exc.pos}", FIELD) from exc
    except RecursionError as exc:  # the depth check above makes this unreachable; kept as a floor
        raise BadRequest("the request body is nested too deeply", FIELD) from exc
    return _plain(parsed, ())


class _Pairs(list):  # type: ignore[type-arg]
    """An object's (key, value) pairs as the parser read them, duplicates included."""


def _check_depth(text: str) -> None:
    """Brackets outside strings, counted before parsing (the parser recurses once per level), in one
    pass over the characters that matter: quotes, backslashes and brackets."""
    depth, in_string, escaped = 0, False, -1
    for special in _SPECIAL.finditer(text):
        at = special.start()
        if at == escaped:
            continue
        char = text[at]
        if in_string:
            if char == "\\":
                escaped = at + 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise BadRequest(f"the request body is nested deeper than {MAX_DEPTH} levels", FIELD)
        elif char in "]}":
            depth -= 1


def _integer(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_INT_DIGITS:
        raise BadRequest(f"an integer in the request body has more than {MAX_INT_DIGITS} digits", FIELD)
    return int(digits)


def _float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise BadRequest("a number in the request body is too large", FIELD)
    return number


def _constant(name: str) -> Any:
    raise BadRequest(f"{name} is not a JSON value", FIELD)


def _plain(value: Any, path: tuple[str, ...]) -> Any:
    """Dicts and lists again, checking every key and string on the way (depth is bounded above)."""
    if isinstance(value, _Pairs):
        found: dict[str, Any] = {}
        for key, item in value:
            where = _field(path)
            if _BAD_CHARS.search(key):
                raise BadRequest(_bad_chars(key) + " (in a key)", where)
            if key in found:
                raise BadRequest("this key appears twice in one object", _field((*path, key)))
            found[key] = _plain(item, (*path, key))
        return found
    if isinstance(value, list):
        return [_plain(item, (*path, str(index))) for index, item in enumerate(value)]
    if isinstance(value, str) and _BAD_CHARS.search(value):
        raise BadRequest(_bad_chars(value), _field(path))
    return value


def _bad_chars(text: str) -> str:
    if "\x00" in text:
        return "a string may not contain a NUL character"
    return "a string may not contain a lone UTF-16 surrogate (\\ud800-\\udfff)"


def _field(path: tuple[str, ...]) -> str:
    return ".".join(path) or FIELD
