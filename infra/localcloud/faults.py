"""Fault injection, off by default: make functions raise or time out, and AWS calls be throttled.

``PAYGATE_FAULTS`` (the localcloud process's environment) or ``LocalCloud(faults=...)`` holds a JSON
plan (a dict, a JSON string, or ``@path`` to a JSON file)::

    {"seed": 7, "rules": [
        {"function": "ProcessPayment", "fault": "raise", "p": 0.1},
        {"function": ["PublishEvents", "DeliverWebhook"], "fault": "timeout", "p": 0.05},
        {"service": "dynamodb", "fault": "throttle", "p": 0.1, "functions": "*"},
        {"service": "sqs", "fault": "throttle", "p": 0.1, "functions": ["DispatchJobs"],
         "operations": ["SendMessage"]}]}

Faults at the invoke boundary (``function``: logical ids, bare or with their nested-stack path
(``Payments/AttemptPayment``), physical names, or ``"*"``):

- ``raise``: the invocation fails before the handler runs, with ``InjectedFault`` as its errorType
  (API -> 502; SQS -> the batch returns after its visibility timeout; stream -> the batch is retried;
  Step Functions -> the Task fails with ``InjectedFault``).
- ``timeout``: the handler runs to the end, then its result is thrown away and the invocation is
  reported as ``Sandbox.Timedout``, as lambdas.py reports a real timeout. This is the harsh case: the
  work is done (writes committed) but the caller sees a failure and retries it.

Throttling of the functions' own AWS calls (``service``: ``dynamodb``, ``sqs``, ``events`` /
``eventbridge``, ``stepfunctions`` / ``sfn``; ``functions`` as above, default ``"*"``; optional
``operations``): the call is answered with the error AWS gives that service, as an HTTP 400 response
that botocore parses like a real one: DynamoDB ``ProvisionedThroughputExceededException``, SQS
``RequestThrottled`` (its throttling error; ``RequestLimitExceeded`` is EC2's), EventBridge and
Step Functions ``ThrottlingException``. The hook is moto's own ``before-send`` handler, wrapped while
a plan is installed (every mocked client, including ones cached before the plan, goes through it),
so **each HTTP attempt** rolls the dice: botocore's retry handler (the functions use standard mode,
3 attempts) sees the throttle and retries, as against AWS; a call fails only when every attempt is
throttled (p³ at 3 attempts), or when standard mode's retry quota runs dry.

Only calls made inside an invocation of a matching function count (``AWS_LAMBDA_FUNCTION_NAME`` in the
invocation's ``os.environ``); localcloud's own clients (pollers, the Step Functions engine, target
delivery) are never throttled. Functions run at start-up (``InvokeOnStart``) run before the plan is
armed.

Decisions come from ``random.Random(seed)`` under a lock: one draw per (rule, matching call), so a
single-threaded run is reproducible; with concurrent invocations the sequence of draws is the same
but which call gets which draw follows thread scheduling. Every injected fault is counted per rule
(``LocalCloud.faults.counts``).
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import threading
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from botocore.awsrequest import AWSResponse

ENV = "PAYGATE_FAULTS"
INVOKE_FAULTS = ("raise", "timeout")
SERVICE_ALIASES = {"events": "eventbridge", "stepfunctions": "sfn", "states": "sfn"}
# service id (hyphenized, as in botocore event names) -> (error code, message, JSON __type prefix)
THROTTLES = {
    "dynamodb": (
        "ProvisionedThroughputExceededException",
        "The level of configured provisioned throughput for the table was exceeded. "
        "Consider increasing your provisioning level with the UpdateTable API.",
        "com.amazonaws.dynamodb.v20120810#",
    ),
    "sqs": ("RequestThrottled", "Request is throttled.", "com.amazonaws.sqs#"),
    "eventbridge": ("ThrottlingException", "Rate exceeded", ""),
    "sfn": ("ThrottlingException", "Rate exceeded", "com.amazonaws.swf.service.model#"),
}

_suspended: ContextVar[bool] = ContextVar("localcloud_faults_suspended", default=False)


class InjectedFault(Exception):
    """A function error made by the fault plan (its class name is the invocation's errorType)."""


@dataclass
class Rule:
    fault: str
    p: float
    functions: tuple[str, ...] | None  # None: every function
    service: str | None = None
    operations: tuple[str, ...] | None = None

    @property
    def label(self) -> str:
        who = "*" if self.functions is None else ",".join(self.functions)
        what = f"{self.service} " if self.service else ""
        ops = f" [{','.join(self.operations)}]" if self.operations else ""
        return f"{what}{self.fault}{ops} @ {who}"

    def matches_function(self, names: tuple[str, ...]) -> bool:
        return self.functions is None or any(name in self.functions for name in names)


def _names(value: Any) -> tuple[str, ...] | None:
    if value is None or value == "*" or value == ["*"]:
        return None
    return (value,) if isinstance(value, str) else tuple(value)


def parse_rule(raw: dict[str, Any]) -> Rule:
    fault = raw.get("fault")
    p = float(raw.get("p", 1.0))
    if not 0 <= p <= 1:
        raise ValueError(f"fault rule {raw}: p must be within 0..1")
    if fault in INVOKE_FAULTS:
        if "function" not in raw and "functions" not in raw:
            raise ValueError(f"fault rule {raw}: a {fault} rule names its function(s) (or '*')")
        return Rule(fault, p, _names(raw.get("function", raw.get("functions"))))
    if fault == "throttle":
        service = str(raw.get("service", "")).lower()
        service = SERVICE_ALIASES.get(service, service)
        if service not in THROTTLES:
            raise ValueError(f"fault rule {raw}: service must be one of {sorted(THROTTLES)}")
        operations = raw.get("operations")
        return Rule(
            fault,
            p,
            _names(raw.get("functions", raw.get("function", "*"))),
            service,
            tuple(operations) if operations else None,
        )
    raise ValueError(f"fault rule {raw}: fault must be raise, timeout or throttle")


@dataclass
class FaultPlan:
    seed: int
    rules: list[Rule]
    counts: dict[str, int] = field(default_factory=dict)
    draws: dict[str, int] = field(default_factory=dict)  # decisions made per rule (calls it matched)
    armed: bool = False
    _random: random.Random = field(init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _physical: dict[str, str] = field(default_factory=dict)  # physical name -> logical id

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)  # noqa: S311 - simulation, reproducible on purpose
        self.counts = {rule.label: 0 for rule in self.rules}
        self.draws = dict(self.counts)

    @classmethod
    def load(cls, source: Any) -> FaultPlan | None:
        """A plan from a dict, a JSON string or ``@file``; None (no faults) for None or empty."""
        if source is None or source == "" or isinstance(source, FaultPlan):
            return source or None
        if isinstance(source, str):
            text = Path(source[1:]).read_text() if source.startswith("@") else source
            source = json.loads(text)
        rules = [parse_rule(rule) for rule in source.get("rules", [])]
        return cls(int(source.get("seed", 0)), rules) if rules else None

    @classmethod
    def from_environment(cls) -> FaultPlan | None:
        return cls.load(os.environ.get(ENV))

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def name_functions(self, pairs: list[tuple[str, str]]) -> None:
        """(physical name, logical id) of every function, so rules may name either."""
        self._physical = dict(pairs)

    def _fires(self, rule: Rule) -> bool:
        with self._lock:
            hit = self._random.random() < rule.p
            self.draws[rule.label] += 1
            if hit:
                self.counts[rule.label] += 1
            return hit

    def invoke_fault(self, logical_id: str, name: str) -> str | None:
        """``raise`` / ``timeout`` for this invocation, or None."""
        if not self.armed:
            return None
        for rule in self.rules:
            if (
                rule.fault in INVOKE_FAULTS
                and rule.matches_function((logical_id, logical_id.rpartition("/")[2], name))
                and self._fires(rule)
            ):
                return rule.fault
        return None

    def throttle(self, event_name: str) -> str | None:
        """The throttling error code for this call (``before-send.<service>.<Operation>``), or None."""
        if not self.armed or _suspended.get():
            return None
        function = _current_function()
        if function is None:
            return None
        logical = self._physical.get(function, function)
        names = (function, logical, logical.rpartition("/")[2])
        _, service, operation = [*event_name.split("."), "", ""][:3]
        for rule in self.rules:
            if (
                rule.fault == "throttle"
                and rule.service == service
                and (rule.operations is None or operation in rule.operations)
                and rule.matches_function(names)
                and self._fires(rule)
            ):
                return THROTTLES[service][0]
        return None

    def report(self) -> str:
        draws = sum(self.draws.values())
        lines = [f"faults injected (seed {self.seed}): {self.total} of {draws} decisions"]
        lines += [f"  {count:6d} of {self.draws[label]:6d}  {label}" for label, count in self.counts.items()]
        return "\n".join(lines)


def _current_function() -> str | None:
    from localcloud import environ

    if environ._current.get() is None:  # not inside an invocation: localcloud's own call
        return None
    return os.environ.get("AWS_LAMBDA_FUNCTION_NAME")


@contextlib.contextmanager
def suspended() -> Iterator[None]:
    """localcloud's own AWS calls made on a function's thread (EventBridge target delivery)."""
    token = _suspended.set(True)
    try:
        yield
    finally:
        _suspended.reset(token)


# --- the botocore hook -----------------------------------------------------------------------
_active: list[FaultPlan] = []
_original_call: list[Any] = []


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_kwargs: Any) -> Iterator[bytes]:
        yield self._body


def throttled_response(url: str, service: str) -> AWSResponse:
    code, message, prefix = THROTTLES[service]
    body = json.dumps({"__type": prefix + code, "message": message}).encode()
    headers = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": "localcloud-fault"}
    if service == "sqs":  # SQS's JSON protocol names the query-compatible error in a header
        headers["x-amzn-query-error"] = f"{code};Sender"
    return AWSResponse(url, 400, headers, _Raw(body))  # type: ignore[arg-type]


def install(plan: FaultPlan) -> None:
    """Wrap moto's ``before-send`` handler (every mocked client's) with the plan's throttles."""
    from moto.core.botocore_stubber import BotocoreStubber

    _active[:] = [plan]
    if _original_call:
        return
    original = BotocoreStubber.__call__
    _original_call.append(original)

    def call(self: Any, event_name: str, request: Any, **kwargs: Any) -> Any:
        current = _active[0] if _active else None
        if current is not None and self.enabled:
            code = current.throttle(event_name)
            if code is not None:
                return throttled_response(request.url, event_name.split(".")[1])
        return original(self, event_name, request, **kwargs)

    BotocoreStubber.__call__ = call  # type: ignore[method-assign]


def uninstall() -> None:
    from moto.core.botocore_stubber import BotocoreStubber

    _active.clear()
    if _original_call:
        BotocoreStubber.__call__ = _original_call.pop()  # type: ignore[method-assign]


def active() -> FaultPlan | None:
    return _active[0] if _active else None
