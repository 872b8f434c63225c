"""API Gateway REST API (Lambda proxy integration), from the OpenAPI body the SAM transform writes.

Matching follows API Gateway: a literal path segment beats ``{param}``, which beats greedy
``{proxy+}``; an explicit method beats ``ANY``. A path no resource matches, or a method the matched
resource lacks (any method beyond GET, PUT, POST, DELETE, OPTIONS, HEAD and PATCH included, ``ANY``
or not), gets API Gateway's 403 ``{"message": "Missing Authentication Token"}``.
"""

from __future__ import annotations

import base64
import fnmatch
import json
import re
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from localcloud.errors import TemplateError
from localcloud.lambdas import FunctionRegistry, LambdaFunction
from localcloud.provision import ACCOUNT, RestApi

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch")
_ANY = "x-amazon-apigateway-any-method"
_FUNCTION_ARN = re.compile(r"functions/(arn:aws:lambda:[^/]+)/invocations")

INTERNAL_ERROR = (502, {"message": "Internal server error"})
MISSING_TOKEN = (403, {"message": "Missing Authentication Token"})


@dataclass(frozen=True)
class Route:
    api: RestApi
    resource: str  # "/items/{id}"
    method: str  # "GET" or "ANY"
    function: LambdaFunction
    segments: tuple[str, ...]

    def rank(self) -> tuple[int, ...]:
        """Sort key: more specific routes first (literal < param < greedy at each segment)."""
        kinds = [2 if s.endswith("+}") else 1 if s.startswith("{") else 0 for s in self.segments]
        return (*kinds, 3)  # a shorter route ranks after a longer one that shares its prefix

    def match(self, parts: list[str]) -> dict[str, str] | None:
        params: dict[str, str] = {}
        for index, segment in enumerate(self.segments):
            if segment.startswith("{") and segment.endswith("+}"):
                rest = parts[index:]
                if not rest or not all(rest):
                    return None
                params[segment[1:-2]] = "/".join(rest)
                return params
            if index >= len(parts):
                return None
            if segment.startswith("{") and segment.endswith("}"):
                if not parts[index]:
                    return None
                params[segment[1:-1]] = parts[index]
            elif segment != parts[index]:
                return None
        return params if len(parts) == len(self.segments) else None


def build_routes(apis: dict[str, RestApi], functions: FunctionRegistry) -> list[Route]:
    routes: list[Route] = []
    seen: dict[tuple[str, str], str] = {}
    for api in apis.values():
        for resource, operations in api.body.get("paths", {}).items():
            for key, operation in operations.items():
                method = "ANY" if key == _ANY else key.upper()
                if key != _ANY and key not in _METHODS:
                    if key.lower() in (*_METHODS, "any"):
                        # what SAM's MergeDefinitions writes for `Method: any` or `Method: GET`: API
                        # Gateway knows no such key and the route would silently not exist
                        raise TemplateError(
                            api.logical_id,
                            f"{key} {resource}: not an OpenAPI method key (write get/post/... in lower"
                            f" case, or {_ANY} for ANY)",
                        )
                    continue
                integration = operation.get("x-amazon-apigateway-integration", {})
                if integration.get("type") != "aws_proxy":
                    raise TemplateError(
                        api.logical_id, f"{method} {resource}: only Lambda proxy integrations are supported"
                    )
                found = _FUNCTION_ARN.search(str(integration.get("uri", "")))
                function = functions.find(found.group(1)) if found else None
                if function is None:
                    raise TemplateError(
                        api.logical_id, f"{method} {resource}: integration is not a template function"
                    )
                if (method, resource) in seen:
                    raise TemplateError(
                        api.logical_id, f"{method} {resource} is also served by {seen[method, resource]}"
                    )
                seen[method, resource] = api.logical_id
                segments = tuple(s for s in resource.split("/") if s)
                routes.append(Route(api, resource, method, function, segments))
    routes.sort(key=lambda r: (r.rank(), r.method == "ANY"))
    return routes


@dataclass
class Request:
    method: str
    path: str
    query: list[tuple[str, str]]
    headers: list[tuple[str, str]]
    body: bytes
    source_ip: str


class ApiGateway:
    def __init__(self, routes: list[Route], region: str) -> None:
        self.routes = routes
        self.region = region
        self.prefixes = {route.segments[0] for route in routes if route.segments}

    def find(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        """The route for a request; None when no resource matches or the resource lacks the method."""
        parts = [p for p in path.split("/")[1:]]
        if parts and parts[-1] == "":
            parts = parts[:-1]
        matched_resource: str | None = None
        for route in self.routes:
            params = route.match(parts)
            if params is None:
                continue
            if matched_resource is None:
                matched_resource = route.resource
            if route.resource != matched_resource:
                break
            # ANY is API Gateway's seven methods; TRACE, PROPFIND, CONNECT... reach no integration
            if route.method == method or (route.method == "ANY" and method.lower() in _METHODS):
                return route, params
        return None

    def handle(self, request: Request) -> tuple[int, list[tuple[str, str]], bytes]:
        request_id = str(uuid.uuid4())
        found = self.find(request.method, request.path)
        if found is None:
            return _json(*MISSING_TOKEN, request_id)
        route, params = found
        event = self.proxy_event(route, params, request, request_id)
        outcome = route.function.invoke(event)
        if outcome.failed:
            return _json(*INTERNAL_ERROR, request_id)
        try:
            return _response(outcome.payload, request_id)
        except (TypeError, ValueError, KeyError) as exc:
            from localcloud.logs import log

            log.error(
                "malformed Lambda proxy response",
                extra={"function": route.function.spec.name, "error": str(exc)},
            )
            return _json(*INTERNAL_ERROR, request_id)

    def proxy_event(
        self, route: Route, params: dict[str, str], request: Request, request_id: str
    ) -> dict[str, Any]:
        headers: dict[str, str] = {}
        multi_headers: dict[str, list[str]] = {}
        for name, value in request.headers:
            headers[name] = value
            multi_headers.setdefault(name, []).append(value)
        lowered = {name.lower() for name in headers}
        for name, value in (
            ("X-Forwarded-For", request.source_ip),
            ("X-Forwarded-Proto", "http"),
            ("X-Amzn-Trace-Id", f"Root=1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]}"),
        ):
            if name.lower() not in lowered:
                headers[name] = value
                multi_headers[name] = [value]
        query: dict[str, str] = {}
        multi_query: dict[str, list[str]] = {}
        for name, value in request.query:
            query[name] = value
            multi_query.setdefault(name, []).append(value)
        content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
        binary = any(
            fnmatch.fnmatch(content_type.split(";")[0].strip(), t) for t in route.api.binary_media_types
        )
        if binary:
            body: str | None = base64.b64encode(request.body).decode()
        else:
            body = request.body.decode("utf-8", errors="replace")
        now = datetime.now(UTC)
        stage = route.api.stage
        return {
            "resource": route.resource,
            "path": request.path,
            "httpMethod": request.method,
            "headers": headers or None,
            "multiValueHeaders": multi_headers or None,
            "queryStringParameters": query or None,
            "multiValueQueryStringParameters": multi_query or None,
            "pathParameters": params or None,
            "stageVariables": None,
            "requestContext": {
                "accountId": ACCOUNT,
                "apiId": route.api.api_id,
                "resourceId": _resource_id(route.resource),
                "resourcePath": route.resource,
                "httpMethod": request.method,
                "extendedRequestId": request_id[:16],
                "requestId": request_id,
                "path": f"/{stage}{request.path}",
                "stage": stage,
                "protocol": "HTTP/1.1",
                "requestTime": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
                "requestTimeEpoch": int(now.timestamp() * 1000),
                "domainName": next((v for k, v in headers.items() if k.lower() == "host"), "localhost"),
                "domainPrefix": "localhost",
                "identity": {
                    "sourceIp": request.source_ip,
                    "userAgent": next((v for k, v in headers.items() if k.lower() == "user-agent"), None),
                    "accountId": None,
                    "apiKey": None,
                    "apiKeyId": None,
                    "caller": None,
                    "cognitoIdentityId": None,
                    "cognitoIdentityPoolId": None,
                    "user": None,
                    "userArn": None,
                },
            },
            "body": body if request.body else None,
            "isBase64Encoded": binary and bool(request.body),
        }


def _resource_id(resource: str) -> str:
    return uuid.uuid5(uuid.NAMESPACE_URL, resource).hex[:6]


def _json(status: int, payload: dict[str, Any], request_id: str) -> tuple[int, list[tuple[str, str]], bytes]:
    headers = [("Content-Type", "application/json"), ("x-amzn-RequestId", request_id)]
    if status >= 400:
        headers.append(
            (
                "x-amzn-ErrorType",
                "MissingAuthenticationTokenException" if status == 403 else "InternalServerErrorException",
            )
        )
    return status, headers, json.dumps(payload).encode()


def _response(payload: Any, request_id: str) -> tuple[int, list[tuple[str, str]], bytes]:
    """Map a Lambda proxy response to HTTP; anything malformed raises (the caller answers 502)."""
    if not isinstance(payload, dict):
        raise TypeError("proxy response is not an object")
    status = int(payload.get("statusCode", 200))
    if not 100 <= status <= 599:
        raise ValueError(f"statusCode {status}")
    headers: list[tuple[str, str]] = []
    multi = payload.get("multiValueHeaders") or {}
    for name, value in (payload.get("headers") or {}).items():
        if name not in multi:
            headers.append((name, str(value)))
    for name, values in multi.items():
        headers.extend((name, str(value)) for value in values)
    body = payload.get("body")
    if body is None:
        raw = b""
    elif payload.get("isBase64Encoded"):
        raw = base64.b64decode(body)
    elif isinstance(body, str):
        raw = body.encode()
    else:
        raise TypeError("body must be a string")
    if not any(name.lower() == "content-type" for name, _ in headers):
        headers.append(("Content-Type", "application/json"))
    headers.append(("x-amzn-RequestId", request_id))
    return status, headers, raw
