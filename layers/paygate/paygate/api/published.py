"""The API's published documents, packaged with the layer: the OpenAPI document that
``python -m paygate.api.openapi --out`` writes at build time (``make openapi``; git-ignored), and the
dependency-free HTML page that renders it."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from paygate.core.errors import DocumentMissing

STATIC = Path(__file__).with_name("static")
OPENAPI_DOCUMENT = STATIC / "openapi.json"
DOCS_PAGE = STATIC / "docs.html"


@cache
def openapi_document() -> dict[str, Any]:
    if not OPENAPI_DOCUMENT.is_file():
        raise DocumentMissing("the OpenAPI document was not generated before the build: run `make openapi`")
    return json.loads(OPENAPI_DOCUMENT.read_text())


@cache
def docs_page() -> str:
    return DOCS_PAGE.read_text()
