"""Cost model: USD per million payment lifecycles on AWS, from one lifecycle counted in localcloud.

One warm lifecycle (payments.py's ``count_lifecycle``: order -> payment -> success -> full refund ->
processed by the SQS job) of one of LIFECYCLES: ``upi`` (no routing configuration: the simulator),
``card`` (no routing configuration: the simulator, the card sealed into the vault) or ``routed`` (a
card routed by the merchant's rules to a Stripe configuration whose ``base_url`` is localstripe, run
as a real process; the refund goes to Stripe too), with a webhook endpoint subscribed to every
event (``enabled_events: ["*"]``, a receiver in this process answering 200), so the webhook path
(stream -> PublishEvents -> EventBridge -> SQS -> DispatchWebhooks -> Step Functions ->
DeliverWebhook) is part of it. Counted while it runs:

- the gateway's AWS calls (payments.py's CallCounter), and from the same requests and responses the
  DynamoDB on-demand request units (item sizes by DynamoDB's rules, transactions x2). Each write is
  also recorded by partition key, of the table and of every GSI the item is in: an UpdateItem's item
  is read back after the call (by a client of this script's own, not counted) for its size and its
  GSI keys, since with ``Projection: ALL`` any change to an indexed item writes the index too; a
  Delete or ConditionCheck is taken as <= 1 KB; ``capacity.py`` reads the hot keys from this;
- every Lambda invocation (localcloud's ``LambdaFunction.invoke``) with its duration;
- Step Functions state transitions: the ``*StateEntered`` events (plus Task retries) of the
  execution histories of the executions the lifecycle started;
- API Gateway REST requests: invocations of functions with an Api event (polling GETs left out);
- SQS requests: one send per message (the gateway's SendMessage or EventBridge's delivery) plus a
  ReceiveMessage and a DeleteMessageBatch per batch the event source mapping hands a function;
- EventBridge: the entries of the gateway's PutEvents;
- KMS: the gateway's KMS calls (GenerateDataKey, Decrypt, Encrypt), from the same call counter;
- DynamoDB read units by table and operation, beside the writes.

The lifecycle has settled when the receiver has had one delivery per published event (one endpoint,
every event) and no workflow runs: the receiver counts, since one DeliverWebhook invocation may
carry several attempts of the fair queue.

Lambda GB-seconds: template memory x duration. Durations measured here are in-process moto calls, not
AWS's network round trips, so the model bills each invocation at ASSUMED_MS (conservative) and also
shows the measured figure. Out of scope: CloudWatch Logs, X-Ray traces, CloudFront/S3 for the static
site, data transfer, KMS keys' monthly fee (fixed, not per lifecycle), the provider's own fees,
the idle SQS long polls of the event source mappings, cold-start INIT time,
free tiers. Prices: prices.py (one table, sources cited).

    python benchmarks/cost.py [--lifecycle upi|card|routed]
"""

from __future__ import annotations

import argparse
import http.server
import json
import math
import os
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import boto3
import payments
from lambdas import functions
from localcloud.lambdas import LambdaFunction
from localcloud.runtime import LocalCloud
from paygate_cli.local import local_parameters
from paygate_cli.localstripe import Localstripe
from prices import PRICES, READ_ON, REGION, price

ASSUMED_MS = 100  # billed duration per invocation on AWS (warm; arm64, 512 MB) - an assumption
CARD = {  # Stripe's (and the simulator's test mode's) success card
    "method": "card",
    "card": {
        "number": "4242424242424242",
        "expiry_month": 12,
        "expiry_year": 2031,
        "cvv": "123",
        "holder_name": "A Payer",
    },
}
LIFECYCLES: dict[str, str] = {
    "upi": "UPI payment, no routing configuration (the simulator)",
    "card": "card payment, no routing configuration (the simulator; the card sealed into the vault)",
    "routed": "card payment routed to a Stripe configuration (localstripe, a real process), refunded there",
}
STRIPE_KEY = "sk_test_benchmark4242"  # localstripe takes any test key


def item_size(value: Any) -> int:
    """Bytes of a DynamoDB-JSON attribute map by DynamoDB's item size rules (close enough for units)."""
    return sum(len(name.encode()) + _attribute_size(attribute) for name, attribute in value.items())


def _attribute_size(attribute: dict[str, Any]) -> int:
    (kind, value), *_ = attribute.items()
    if kind in ("S", "B"):
        return len(value.encode()) if isinstance(value, str) else len(value)
    if kind == "N":
        return len(str(value).lstrip("-").replace(".", "")) // 2 + 2
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "M":
        return 3 + sum(len(k.encode()) + 1 + _attribute_size(v) for k, v in value.items())
    if kind == "L":
        return 3 + sum(1 + _attribute_size(v) for v in value)
    return sum(len(str(v)) for v in value)  # sets


class Meter:
    """DynamoDB request units, Lambda invocations and SQS batches while ``recording``.

    ``phase`` names the lifecycle the writes belong to ("warm-up", "measured"); writes are logged by
    partition key in every phase, so a key written by both lifecycles shows as shared between them.
    """

    def __init__(self, region: str = REGION) -> None:
        self.recording = False
        self.phase = ""
        self.settled = True
        self.lock = threading.Lock()
        self.rru = 0.0
        self.wru = 0.0
        self.eventbridge_entries = 0
        self.published = {"warm-up": 0, "measured": 0}
        self.invocations: list[
            tuple[str, float, int, int]
        ] = []  # (function, ms, SQS records, stream records)
        self.writes: list[tuple[str, str, str, str, float]] = []  # (phase, table, index, partition key, WRU)
        self.region = region
        self._reader: Any = None  # a client of this script's own (not counted), made once moto runs
        self._schemas: dict[str, Layout] = {}
        self.operations: list[tuple[str, str, str, str, float]] = []  # (phase, table, index, what, WRU)
        self.reads: list[tuple[str, str, float]] = []  # (table, operation, RRU) while recording
        self.errors: list[str] = []

    # --- DynamoDB: request parameters kept in the request context until the response ---------
    def before(self, params: dict[str, Any], context: dict[str, Any], model: Any, **_kwargs: Any) -> None:
        context["bench_params"] = params
        if not self.phase or model.name not in _WRITES:
            return
        try:  # the items as they are before the write: an index is written only if its part changes
            context["bench_before"] = {
                (table, _key_text_of(key)): self._read_back(table, key)
                for _kind, table, key, _request, _factor in _entries(model.name, params, self._layout)
            }
        except Exception as error:  # a bug here must not turn into the gateway's 502: report it
            self.errors.append(f"{model.name} (before): {error!r}")

    def after(self, parsed: dict[str, Any], model: Any, context: dict[str, Any], **_kwargs: Any) -> None:
        try:
            self._after(parsed, model, context)
        except Exception as error:  # a bug here must not turn into the gateway's 502: report it
            self.errors.append(f"{model.name}: {error!r}")

    def _after(self, parsed: dict[str, Any], model: Any, context: dict[str, Any]) -> None:
        if not self.phase or os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "") in payments.POLLING:
            return
        params = context.get("bench_params", {})
        before = context.get("bench_before", {})
        writes = _writes(model.name, params, self._layout, self._read_back, before)
        reads = read_units(model.name, params, parsed)
        with self.lock:
            self.writes += [(self.phase, *w[:4]) for w in writes]
            self.operations += [(self.phase, w[0], w[1], w[4], w[3]) for w in writes]
            if self.recording:
                self.rru += sum(units for _table, units in reads)
                self.reads += [(table, model.name, units) for table, units in reads]
                self.wru += sum(w[3] for w in writes)

    def events_before(self, params: dict[str, Any], model: Any, **_kwargs: Any) -> None:
        if self.phase and model.name == "PutEvents":
            with self.lock:
                self.published[self.phase] += len(params.get("Entries", []))
                if self.recording:
                    self.eventbridge_entries += len(params.get("Entries", []))

    def _layout(self, table: str) -> Layout:
        """The table's key attributes and, per GSI, its keys and projection (read once per table)."""
        if table not in self._schemas:
            described = self._client().describe_table(TableName=table)["Table"]
            keys = lambda schema: [k["AttributeName"] for k in sorted(schema, key=lambda k: k["KeyType"])]  # noqa: E731
            indexes = {}
            for index in described.get("GlobalSecondaryIndexes", []):
                projection = index.get("Projection", {})
                indexes[index["IndexName"]] = Index(
                    keys(index["KeySchema"]),
                    projection.get("ProjectionType", "ALL"),
                    list(projection.get("NonKeyAttributes", [])),
                )
            self._schemas[table] = Layout(keys(described["KeySchema"]), indexes)
        return self._schemas[table]

    def _read_back(self, table: str, key: dict[str, Any]) -> dict[str, Any] | None:
        return self._client().get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")

    def _client(self) -> Any:
        if self._reader is None:
            self._reader = boto3.client("dynamodb", region_name=self.region)
        return self._reader

    def attach(self) -> None:
        from paygate.core import aws

        for service in ("dynamodb", "events", "sqs", "stepfunctions"):
            aws.client(service)  # the clients the lifecycle uses, so their hooks are on from its start
        for service, client in aws._clients.items():
            if service == "dynamodb":
                client.meta.events.register("before-parameter-build.dynamodb", self.before)
                client.meta.events.register("after-call.dynamodb", self.after)
            if service == "events":
                client.meta.events.register("before-parameter-build.events", self.events_before)

    def wrap_invoke(self) -> None:
        original = LambdaFunction.invoke
        meter = self

        def invoke(function: LambdaFunction, event: Any, request_id: str | None = None) -> Any:
            outcome = original(function, event, request_id)
            if meter.recording:
                records = event.get("Records", []) if isinstance(event, dict) else []
                sqs = sum(1 for r in records if r.get("eventSource") == "aws:sqs")
                stream = sum(1 for r in records if r.get("eventSource") == "aws:dynamodb")
                with meter.lock:
                    # nested stacks' functions are "Stack/Function" in localcloud; the template's own id
                    name = function.spec.logical_id.rsplit("/", 1)[-1]
                    meter.invocations.append((name, outcome.duration_ms, sqs, stream))
            return outcome

        LambdaFunction.invoke = invoke  # type: ignore[method-assign]


def _read_units(size: int, consistent: bool) -> float:
    return max(1, math.ceil(size / 4096)) * (1.0 if consistent else 0.5)


def _item_units(item: dict[str, Any] | None) -> int:
    return 1 if item is None else max(1, math.ceil(item_size(item) / 1024))


@dataclass(frozen=True)
class Index:
    keys: list[str]  # partition key attribute, then the sort key's if any
    projection: str  # ALL, KEYS_ONLY or INCLUDE
    include: list[str]


@dataclass(frozen=True)
class Layout:
    keys: list[str]
    indexes: dict[str, Index]


_WRITES = ("PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem")


def _projected(layout: Layout, index: Index, item: dict[str, Any] | None) -> dict[str, Any] | None:
    """The index's entry for ``item`` (None when the item is not in the index: a key missing)."""
    if item is None or any(k not in item for k in index.keys):
        return None
    if index.projection == "ALL":
        return item
    kept = {*layout.keys, *index.keys, *(index.include if index.projection == "INCLUDE" else [])}
    return {name: value for name, value in item.items() if name in kept}


def _item_writes(
    table: str,
    layout: Layout,
    key: dict[str, Any],
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    factor: int,
    what: str,
) -> list[tuple[str, str, str, float, str]]:
    """(table, index, partition key, WRU, what) of one item write, by DynamoDB's rules: the table
    bills the larger of the item before and after; a GSI is written only when the item's entry in it
    changes (its keys or projected attributes): a put of the new entry, and a delete of the old one
    when the index key changed."""
    sizes = [_item_units(i) for i in (before, after) if i is not None] or [1]
    source = after if after is not None else before if before is not None else key
    writes = [(table, "", _key_text(source.get(layout.keys[0])), float(factor * max(sizes)), what)]
    for name, index in layout.indexes.items():
        old, new = _projected(layout, index, before), _projected(layout, index, after)
        if old == new:
            continue
        moved = old is not None and new is not None and any(old[k] != new[k] for k in index.keys)
        if old is not None and (new is None or moved):
            writes.append(
                (table, name, _key_text(old[index.keys[0]]), float(factor * _item_units(old)), what)
            )
        if new is not None:
            writes.append(
                (table, name, _key_text(new[index.keys[0]]), float(factor * _item_units(new)), what)
            )
    return writes


def _key_text(attribute: dict[str, Any] | None) -> str:
    if not attribute:
        return "?"
    (_kind, value), *_ = attribute.items()
    return str(value)


def _key_text_of(key: dict[str, Any]) -> str:
    return json.dumps(key, sort_keys=True)


def _entries(
    operation: str, params: dict[str, Any], layout_of: Any
) -> list[tuple[str, str, dict[str, Any], dict[str, Any], int]]:
    """The item writes of one call: (kind, table, key, request, factor)."""
    entries: list[tuple[str, dict[str, Any], int]] = []  # (kind, request, factor)
    if operation in ("PutItem", "UpdateItem", "DeleteItem"):
        entries = [(operation.removesuffix("Item"), params, 1)]
    elif operation == "TransactWriteItems":
        for entry in params.get("TransactItems", []):
            (kind, request), *_ = entry.items()
            entries.append((kind, request, 2))
    elif operation == "BatchWriteItem":
        for table, requests in params.get("RequestItems", {}).items():
            for r in requests:
                kind = "Put" if "PutRequest" in r else "Delete"
                request = r.get("PutRequest") or r.get("DeleteRequest") or {}
                entries.append((kind, {"TableName": table, **request}, 1))
    found = []
    for kind, request, factor in entries:
        table = request["TableName"]
        layout = layout_of(table)
        key = request.get("Key") or {k: request["Item"][k] for k in layout.keys}
        found.append((kind, table, key, request, factor))
    return found


def _what(kind: str, request: dict[str, Any], layout: Layout, key: dict[str, Any]) -> str:
    """A label for the breakdown: the operation, the item's kind (key pattern) and, for an update, the
    attributes it sets."""
    shape = "/".join(_key_text(key.get(k)) for k in layout.keys)
    label = f"{kind} {shape}"
    if kind == "Update":
        names = request.get("ExpressionAttributeNames", {})
        expression = request.get("UpdateExpression", "")
        for alias, name in sorted(names.items(), key=lambda kv: -len(kv[0])):
            expression = expression.replace(alias, name)
        assigned = [part.split("=")[0].strip() for part in expression.removeprefix("SET ").split(",")]
        label += " SET " + ",".join(a.split()[-1] for a in assigned if a)[:80]
    return label


def _writes(
    operation: str, params: dict[str, Any], layout_of: Any, read_back: Any, before: dict[Any, Any]
) -> list[tuple[str, str, str, float, str]]:
    """The writes of one call: (table, index ("" for the table), partition key value, WRU, what)."""
    writes = []
    for kind, table, key, request, factor in _entries(operation, params, layout_of):
        layout = layout_of(table)
        old = before.get((table, _key_text_of(key)))
        # a ConditionCheck reads the item and writes nothing, but bills a write
        new = read_back(table, key) if kind in ("Put", "Update", "Delete") else old
        writes += _item_writes(table, layout, key, old, new, factor, _what(kind, request, layout, key))
    return writes


def read_units(operation: str, params: dict[str, Any], parsed: dict[str, Any]) -> list[tuple[str, float]]:
    """(table, read request units) of one call, by DynamoDB's rules: 4 KB per unit, an eventually
    consistent read half a unit, a transactional read two; a GetItem that finds nothing still bills
    one read; BatchGetItem bills each item (with the table's own ConsistentRead)."""
    consistent = bool(params.get("ConsistentRead"))
    table = params.get("TableName", "?")
    if operation == "GetItem":
        return [(table, _read_units(item_size(parsed.get("Item", {})), consistent))]
    if operation in ("Query", "Scan"):
        return [(table, _read_units(sum(item_size(i) for i in parsed.get("Items", [])), consistent))]
    if operation == "BatchGetItem":
        asked = params.get("RequestItems", {})
        return [
            (name, _read_units(item_size(i), bool(asked.get(name, {}).get("ConsistentRead"))))
            for name, found in parsed.get("Responses", {}).items()
            for i in found
        ]
    if operation == "TransactGetItems":
        names = [
            next(iter(entry.values())).get("TableName", "?") for entry in params.get("TransactItems", [])
        ]
        answers = parsed.get("Responses", [])
        return [
            (n, 2 * _read_units(item_size(r.get("Item", {})), True))
            for n, r in zip(names, answers, strict=True)
        ]
    return []  # writes, DescribeTable and the like


class _Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200)
        self.end_headers()
        with self.server.lock:  # type: ignore[attr-defined]
            self.server.received += 1  # type: ignore[attr-defined]

    def log_message(self, *_args: Any) -> None:
        pass


class _Server(http.server.ThreadingHTTPServer):
    """The merchant's webhook endpoint: answers 200 and counts the deliveries."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Receiver)
        self.lock = threading.Lock()
        self.received = 0

    def handle_error(self, *_args: Any) -> None:
        pass  # a delivery that hangs up first (its timeout) is the gateway's business, not the figure's


def _machines(sfn: Any) -> list[str]:
    """Every state machine of the stack and its nested stacks, whatever the layout names them."""
    return [m["stateMachineArn"] for m in sfn.list_state_machines()["stateMachines"]]


def _executions(sfn: Any) -> set[str]:
    return {
        e["executionArn"]
        for arn in _machines(sfn)
        for e in sfn.list_executions(stateMachineArn=arn)["executions"]
    }


def _transitions(sfn: Any, arns: set[str]) -> tuple[int, dict[str, int]]:
    total, per_machine = 0, {}
    for arn in sorted(arns):
        history = sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
        entered = [e for e in history if e["type"].endswith("StateEntered")]
        scheduled = [e for e in history if e["type"] in ("LambdaFunctionScheduled", "TaskScheduled")]
        tasks = [e for e in entered if e["type"] == "TaskStateEntered"]
        count = len(entered) + max(0, len(scheduled) - len(tasks))  # a Task retry is a transition
        machine = arn.split(":")[-2]
        per_machine[machine] = per_machine.get(machine, 0) + count
        total += count
    return total, per_machine


def _running(sfn: Any) -> bool:
    return any(
        sfn.list_executions(stateMachineArn=arn, statusFilter="RUNNING")["executions"]
        for arn in _machines(sfn)
    )


def _settle(meter: Meter, receiver: _Server, sfn: Any, phase: str, timeout: float = 60) -> bool:
    """Until the receiver has had one delivery per event published in ``phase`` and no workflow runs."""
    deadline = time.monotonic() + timeout
    time.sleep(1.0)
    while time.monotonic() < deadline:
        with meter.lock, receiver.lock:
            published, delivered = meter.published[phase], receiver.received
        if published and delivered >= published and not _running(sfn):
            time.sleep(0.5)
            return True
        time.sleep(0.2)
    return False


def _api_functions() -> set[str]:
    return {f.logical_id for f in functions() if f.api_events}


def _configure_routing(connection: Any, stripe_url: str) -> str:
    """Through the API, as a merchant would: a Stripe configuration pointed at localstripe and a rule
    sending cards to it; returns the configuration's id."""
    body = {"connector": "stripe", "credentials": {"api_key": STRIPE_KEY}, "base_url": stripe_url}
    connection.request("POST", "/api/v1/connectors", json.dumps(body), payments.HEADERS)
    answer = connection.getresponse()
    created = json.loads(answer.read())
    if answer.status != 201:
        raise RuntimeError(f"POST /api/v1/connectors {answer.status}: {created}")
    rule = {"name": "cards to stripe", "conditions": {"methods": ["card"]}}
    rules = {"rules": [{**rule, "action": {"type": "priority", "connectors": [created["id"]]}}]}
    connection.request("PUT", "/api/v1/routing", json.dumps(rules), payments.HEADERS)
    answer = connection.getresponse()
    text = answer.read()
    if answer.status != 200:
        raise RuntimeError(f"PUT /api/v1/routing {answer.status}: {text[:300]!r}")
    return str(created["id"])


def measure(lifecycle: str = "upi") -> dict[str, Any]:
    """One warm lifecycle of ``LIFECYCLES[lifecycle]`` counted; the cost per million and the raw counts
    ``capacity.py`` reads."""
    if lifecycle not in LIFECYCLES:
        raise ValueError(f"lifecycle: one of {', '.join(LIFECYCLES)}")
    stripe = Localstripe() if lifecycle == "routed" else None
    if stripe is not None:
        stripe.start()
    try:
        return _measure(lifecycle, stripe)
    finally:
        if stripe is not None:
            stripe.stop()


def _measure(lifecycle: str, stripe: Localstripe | None) -> dict[str, Any]:
    template = payments.ROOT / "template.yaml"
    meter, counter = Meter(), payments.CallCounter()
    meter.wrap_invoke()
    receiver = _Server()
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    original_attach = counter.attach
    warm_settled = [True]

    def attach() -> None:  # count_lifecycle attaches the counter after its warm-up lifecycle
        original_attach()
        warm_settled[0] = _settle(meter, receiver, sfn, "warm-up")  # the warm-up's webhooks delivered
        before.update(_executions(sfn))
        with receiver.lock:
            receiver.received = 0
        meter.phase = "measured"
        meter.recording = True

    def settle() -> None:
        meter.settled = _settle(meter, receiver, sfn, "measured")

    counter.attach = attach  # type: ignore[method-assign]
    with LocalCloud(template, port=0, stack_name="paygate", parameters=local_parameters(template)) as cloud:
        sink = os.open(os.devnull, os.O_WRONLY)
        saved = os.dup(1)
        os.dup2(sink, 1)
        try:
            connection = payments.http.client.HTTPConnection("127.0.0.1", cloud.bound_port, timeout=30)
            if stripe is not None:  # before the endpoint exists: no configuration event is delivered
                _configure_routing(connection, stripe.url)
            body = json.dumps({"url": f"http://127.0.0.1:{receiver.server_address[1]}/hook"})
            connection.request("POST", "/api/v1/webhook_endpoints", body, payments.HEADERS)
            assert connection.getresponse().status == 201
            sfn = boto3.client("stepfunctions", region_name=cloud.region)
            before: set[str] = set()  # the executions of the warm-up lifecycle, left out
            meter.attach()
            meter.phase = "warm-up"
            method = None if lifecycle == "upi" else CARD
            calls, final = payments.count_lifecycle(cloud, counter, settle=settle, method=method)
            meter.recording = False
            meter.phase = ""
            started = _executions(sfn) - before
            transitions, per_machine = _transitions(sfn, started)
        finally:
            os.dup2(saved, 1)
            os.close(sink)
    receiver.shutdown()
    memory = {f.logical_id: f.memory_mb for f in functions()}
    invocations = [i for i in meter.invocations if i[0] not in ("GetPayment", "GetRefund")]
    api = _api_functions()
    sqs_batches = [sqs for _n, _ms, sqs, _st in invocations if sqs]
    sqs_requests = sum(sqs_batches) + 2 * len(sqs_batches)
    measured_gbs = sum(memory[n] / 1024 * math.ceil(ms) / 1000 for n, ms, _s, _t in invocations)
    assumed_gbs = sum(memory[n] / 1024 * ASSUMED_MS / 1000 for n, _ms, _s, _t in invocations)
    usage = {
        "lambda_request": len(invocations),
        "lambda_gb_second_arm64": assumed_gbs,
        "apigateway_rest_request": sum(1 for i in invocations if i[0] in api),
        "dynamodb_write_request_unit": meter.wru,
        "dynamodb_read_request_unit": meter.rru,
        "stepfunctions_state_transition": transitions,
        "sqs_request": sqs_requests,
        "eventbridge_event": meter.eventbridge_entries,
        "kms_request": sum(n for (_f, service, _o), n in calls.items() if service == "kms"),
    }
    per_million = {name: count * price(name) * 1e6 for name, count in usage.items()}
    by_function: dict[str, list[float]] = {}
    for name, ms, _s, _t in invocations:
        by_function.setdefault(name, []).append(round(ms, 1))
    operations: dict[str, int] = {}
    for (_function, service, operation), n in calls.items():
        operations[f"{service}:{operation}"] = operations.get(f"{service}:{operation}", 0) + n
    by_caller = {
        f"{function.removeprefix('paygate-')} {service}:{operation}": n
        for (function, service, operation), n in sorted(calls.items())
    }
    return {
        "lifecycle": lifecycle,
        "lifecycle_described": LIFECYCLES[lifecycle],
        "region": REGION,
        "prices": READ_ON,
        "refund_status": final["status"],
        "settled": meter.settled and warm_settled[0] and not meter.errors,
        "meter_errors": meter.errors[:5],
        "webhook_deliveries": receiver.received,
        "aws_calls": sum(calls.values()),
        "usage_per_lifecycle": {k: round(v, 4) for k, v in usage.items()},
        "usd_per_million": {k: round(v, 2) for k, v in per_million.items()},
        "usd_per_million_total": round(sum(per_million.values()), 2),
        "lambda_gb_seconds_measured": round(measured_gbs, 4),
        "usd_per_million_with_measured_durations": round(
            sum(per_million.values())
            - per_million["lambda_gb_second_arm64"]
            + measured_gbs * price("lambda_gb_second_arm64") * 1e6,
            2,
        ),
        "assumed_ms": ASSUMED_MS,
        "transitions_per_machine": per_machine,
        "executions_started": len(started),
        "durations_ms": by_function,
        "records_per_function": {
            name: [
                sum(i[2] + i[3] for i in invocations if i[0] == name),
                sum(1 for i in invocations if i[0] == name),
            ]
            for name in by_function
        },
        "calls_by_operation": dict(sorted(operations.items())),
        "calls_by_function": by_caller,
        "read_units_by_table": units_by_table(meter.reads),
        "write_units_by_table": units_by_table(
            [
                (table, index or "table", units)
                for phase, table, index, _k, units in meter.writes
                if phase == "measured"
            ]
        ),
        "writes": [list(w) for w in meter.writes],
        "operations": [list(w) for w in meter.operations],
    }


def units_by_table(entries: list[tuple[str, str, float]]) -> dict[str, float]:
    """DynamoDB units summed by "table kind" (kind: the operation of a read, the index of a write),
    the table's namespace prefix left out; largest first."""
    totals: dict[str, float] = {}
    for table, kind, units in entries:
        name = f"{table.split('-', 1)[-1]} {kind}"
        totals[name] = totals.get(name, 0) + units
    return {k: round(v, 2) for k, v in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lifecycle", choices=list(LIFECYCLES), default="upi")
    args = parser.parse_args()
    result = measure(args.lifecycle)
    print(f"cost of one payment lifecycle on AWS ({result['region']}; {result['prices']})")
    print(
        f"lifecycle: order, {result['lifecycle_described']}, success,"
        f" full refund ({result['refund_status']}),"
        f" one webhook endpoint subscribed to every event ({result['webhook_deliveries']} deliveries);"
        f" {result['aws_calls']} gateway AWS calls"
    )
    print(f"{'item':<34}{'per lifecycle':>14}{'USD / 1M lifecycles':>22}  unit price")
    for name, count in result["usage_per_lifecycle"].items():
        unit = PRICES[name]
        print(
            f"{name:<34}{count:>14.3f}{result['usd_per_million'][name]:>22.2f}  {unit[0]:.10g} per {unit[1]}"
        )
    print(f"{'total':<34}{'':>14}{result['usd_per_million_total']:>22.2f}")
    print(
        f"Lambda billed at {ASSUMED_MS} ms per invocation (assumption); with the durations measured in"
        f" localcloud ({result['lambda_gb_seconds_measured']:.3f} GB-s):"
        f" {result['usd_per_million_with_measured_durations']:.2f} USD / 1M"
    )
    print("gateway AWS calls by function: " + json.dumps(result["calls_by_function"]))
    print("DynamoDB read units by table: " + json.dumps(result["read_units_by_table"]))
    print("DynamoDB write units by table and index: " + json.dumps(result["write_units_by_table"]))
    print("state transitions by machine: " + json.dumps(result["transitions_per_machine"]))
    print("measured durations (ms): " + json.dumps(result["durations_ms"]))
    print(
        "out of scope: CloudWatch Logs, X-Ray, CloudFront/S3, data transfer, idle SQS polls, INIT, free tiers"
    )
    print(json.dumps({"benchmark": "cost", **{k: v for k, v in result.items() if k != "writes"}}))
    if not result["settled"]:
        print("WARNING: not every published event was delivered within 60 s: the figures are partial")
    return 0 if result["refund_status"] == "processed" and result["settled"] else 1


if __name__ == "__main__":
    sys.exit(main())
