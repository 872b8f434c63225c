"""Cost model: USD per million payment lifecycles on AWS, from one lifecycle counted in localcloud.

One warm lifecycle (payments.py's ``count_lifecycle``: order -> UPI payment -> success on Step
Functions -> full refund -> processed by the SQS job) with a webhook endpoint subscribed to every
event (``enabled_events: ["*"]``, a receiver in this process answering 200), so the webhook path
(stream -> PublishEvents -> EventBridge -> SQS -> DispatchWebhooks -> Step Functions ->
DeliverWebhook) is part of it. Counted while it runs:

- the gateway's AWS calls (payments.py's CallCounter), and from the same requests and responses the
  DynamoDB on-demand request units (item sizes by DynamoDB's rules, GSI writes for items carrying a
  GSI key, transactions x2; an UpdateItem/Delete/ConditionCheck is taken as <= 1 KB);
- every Lambda invocation (localcloud's ``LambdaFunction.invoke``) with its duration;
- Step Functions state transitions: the ``*StateEntered`` events (plus Task retries) of the
  execution histories of the executions the lifecycle started;
- API Gateway REST requests: invocations of functions with an Api event (polling GETs left out);
- SQS requests: one send per message (the gateway's SendMessage or EventBridge's delivery) plus a
  ReceiveMessage and a DeleteMessageBatch per batch the event source mapping hands a function;
- EventBridge: the entries of the gateway's PutEvents.

Lambda GB-seconds: template memory x duration. Durations measured here are in-process moto calls, not
AWS's network round trips, so the model bills each invocation at ASSUMED_MS (conservative) and also
shows the measured figure. Out of scope: CloudWatch Logs, X-Ray traces, CloudFront/S3 for the static
site, data transfer, KMS, the idle SQS long polls of the event source mappings, cold-start INIT time,
free tiers. Prices: prices.py (one table, sources cited).

    python benchmarks/cost.py
"""

from __future__ import annotations

import http.server
import json
import math
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import boto3
import payments
from lambdas import functions
from localcloud.lambdas import LambdaFunction
from localcloud.runtime import LocalCloud
from paygate_cli.local import local_parameters
from prices import PRICES, READ_ON, REGION, price
from samtranslator.yaml_helper import yaml_parse

ASSUMED_MS = 100  # billed duration per invocation on AWS (warm; arm64, 512 MB) - an assumption
STATE_MACHINES = ("PaymentProcessing", "WebhookDelivery")


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
    """DynamoDB request units, Lambda invocations and SQS batches while ``recording``."""

    def __init__(self) -> None:
        self.recording = False
        self.settled = True
        self.lock = threading.Lock()
        self.rru = 0.0
        self.wru = 0.0
        self.eventbridge_entries = 0
        self.invocations: list[tuple[str, float, int]] = []  # (function name, ms, SQS records)

    # --- DynamoDB: request parameters kept in the request context until the response ---------
    def before(self, params: dict[str, Any], context: dict[str, Any], **_kwargs: Any) -> None:
        context["bench_params"] = params

    def after(self, parsed: dict[str, Any], model: Any, context: dict[str, Any], **_kwargs: Any) -> None:
        if not self.recording:
            return
        params = context.get("bench_params", {})
        rru, wru = _units(model.name, params, parsed)
        with self.lock:
            self.rru += rru
            self.wru += wru

    def events_before(self, params: dict[str, Any], model: Any, **_kwargs: Any) -> None:
        if self.recording and model.name == "PutEvents":
            with self.lock:
                self.eventbridge_entries += len(params.get("Entries", []))

    def attach(self) -> None:
        from paygate.core import aws

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
                with meter.lock:
                    meter.invocations.append((function.spec.logical_id, outcome.duration_ms, sqs))
            return outcome

        LambdaFunction.invoke = invoke  # type: ignore[method-assign]


def _read_units(size: int, consistent: bool) -> float:
    return max(1, math.ceil(size / 4096)) * (1.0 if consistent else 0.5)


def _write_units(item: dict[str, Any] | None) -> int:
    """Write units of one item, plus one write per GSI whose key the item carries (gsiNpk)."""
    if item is None:
        return 1
    units = max(1, math.ceil(item_size(item) / 1024))
    indexes = sum(1 for name in item if name.startswith("gsi") and name.endswith("pk"))
    return units * (1 + indexes)


def _update_units(update: dict[str, Any]) -> int:
    """<= 1 KB assumed; one more write per GSI key the update sets."""
    names = " ".join(update.get("ExpressionAttributeNames", {}).values()) + update.get("UpdateExpression", "")
    return 1 + sum(1 for n in ("gsi1pk", "gsi2pk") if n in names)


def _units(operation: str, params: dict[str, Any], parsed: dict[str, Any]) -> tuple[float, float]:
    consistent = bool(params.get("ConsistentRead"))
    if operation == "GetItem":
        return _read_units(item_size(parsed.get("Item", {})), consistent), 0
    if operation in ("Query", "Scan"):
        return _read_units(sum(item_size(i) for i in parsed.get("Items", [])), consistent), 0
    if operation == "BatchGetItem":
        items = [i for found in parsed.get("Responses", {}).values() for i in found]
        return sum(_read_units(item_size(i), consistent) for i in items), 0
    if operation == "TransactGetItems":
        return sum(
            2 * _read_units(item_size(r.get("Item", {})), True) for r in parsed.get("Responses", [])
        ), 0
    if operation == "PutItem":
        return 0, _write_units(params.get("Item"))
    if operation == "UpdateItem":
        return 0, _update_units(params)
    if operation == "DeleteItem":
        return 0, 1
    if operation == "TransactWriteItems":
        wru = 0
        for entry in params.get("TransactItems", []):
            if "Put" in entry:
                wru += 2 * _write_units(entry["Put"].get("Item"))
            elif "Update" in entry:
                wru += 2 * _update_units(entry["Update"])
            else:
                wru += 2
        return 0, wru
    if operation == "BatchWriteItem":
        requests = [r for found in params.get("RequestItems", {}).values() for r in found]
        return 0, sum(_write_units(r.get("PutRequest", {}).get("Item")) for r in requests)
    return 0, 0  # DescribeTable and the like: no request units


class _Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *_args: Any) -> None:
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, *_args: Any) -> None:
        pass  # a delivery that hangs up first (its timeout) is the gateway's business, not the figure's


def _executions(sfn: Any, cloud: LocalCloud) -> set[str]:
    return {
        e["executionArn"]
        for name in STATE_MACHINES
        for e in sfn.list_executions(stateMachineArn=cloud.physical(name))["executions"]
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


def _running(sfn: Any, cloud: LocalCloud) -> bool:
    return any(
        sfn.list_executions(stateMachineArn=cloud.physical(name), statusFilter="RUNNING")["executions"]
        for name in STATE_MACHINES
    )


def _quiet(sfn: Any, cloud: LocalCloud, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        time.sleep(3.0)
        if not _running(sfn, cloud):
            return


def _settle(meter: Meter, sfn: Any, cloud: LocalCloud, timeout: float = 60) -> None:
    """Until every published event has been delivered once and no workflow runs (one endpoint, "*")."""
    deadline = time.monotonic() + timeout
    time.sleep(1.0)
    while time.monotonic() < deadline:
        with meter.lock:
            delivered = sum(1 for name, _ms, _s in meter.invocations if name == "DeliverWebhook")
            published = meter.eventbridge_entries
        if published and delivered >= published and not _running(sfn, cloud):
            time.sleep(0.5)
            return
        time.sleep(0.2)
    meter.settled = False  # counted as far as it got; reported


def _api_functions() -> set[str]:
    sam = yaml_parse((payments.ROOT / "template.yaml").read_text())
    return {
        logical_id
        for logical_id, r in sam["Resources"].items()
        if any(e.get("Type") == "Api" for e in r.get("Properties", {}).get("Events", {}).values())
    }


def measure() -> dict[str, Any]:
    template = payments.ROOT / "template.yaml"
    meter, counter = Meter(), payments.CallCounter()
    meter.wrap_invoke()
    receiver = _Server(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    original_attach = counter.attach

    def attach() -> None:  # count_lifecycle attaches the counter after its warm-up lifecycle
        original_attach()
        meter.attach()
        _quiet(sfn, cloud)  # the warm-up lifecycle's webhooks delivered
        before.update(_executions(sfn, cloud))
        meter.recording = True

    counter.attach = attach  # type: ignore[method-assign]
    with LocalCloud(template, port=0, stack_name="paygate", parameters=local_parameters(template)) as cloud:
        sink = os.open(os.devnull, os.O_WRONLY)
        saved = os.dup(1)
        os.dup2(sink, 1)
        try:
            body = json.dumps({"url": f"http://127.0.0.1:{receiver.server_address[1]}/hook"})
            connection = payments.http.client.HTTPConnection("127.0.0.1", cloud.bound_port, timeout=30)
            connection.request("POST", "/api/v1/webhook_endpoints", body, payments.HEADERS)
            assert connection.getresponse().status == 201
            sfn = boto3.client("stepfunctions", region_name=cloud.region)
            before: set[str] = set()  # the executions of the warm-up lifecycle, left out
            calls, final = payments.count_lifecycle(cloud, counter, settle=lambda: _settle(meter, sfn, cloud))
            meter.recording = False
            started = _executions(sfn, cloud) - before
            transitions, per_machine = _transitions(sfn, started)
        finally:
            os.dup2(saved, 1)
            os.close(sink)
    receiver.shutdown()
    memory = {f.logical_id: f.memory_mb for f in functions()}
    invocations = [
        (name, ms, sqs) for name, ms, sqs in meter.invocations if name not in ("GetPayment", "GetRefund")
    ]
    api = _api_functions()
    sqs_batches = [sqs for _n, _ms, sqs in invocations if sqs]
    sqs_requests = sum(sqs_batches) + 2 * len(sqs_batches)
    measured_gbs = sum(memory[n] / 1024 * math.ceil(ms) / 1000 for n, ms, _s in invocations)
    assumed_gbs = sum(memory[n] / 1024 * ASSUMED_MS / 1000 for n, _ms, _s in invocations)
    usage = {
        "lambda_request": len(invocations),
        "lambda_gb_second_arm64": assumed_gbs,
        "apigateway_rest_request": sum(1 for n, _ms, _s in invocations if n in api),
        "dynamodb_write_request_unit": meter.wru,
        "dynamodb_read_request_unit": meter.rru,
        "stepfunctions_state_transition": transitions,
        "sqs_request": sqs_requests,
        "eventbridge_event": meter.eventbridge_entries,
    }
    per_million = {name: count * price(name) * 1e6 for name, count in usage.items()}
    by_function: dict[str, list[float]] = {}
    for name, ms, _s in invocations:
        by_function.setdefault(name, []).append(round(ms, 1))
    return {
        "region": REGION,
        "prices": READ_ON,
        "refund_status": final["status"],
        "settled": meter.settled,
        "webhook_deliveries": sum(1 for n, _ms, _s in invocations if n == "DeliverWebhook"),
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
        "durations_ms": by_function,
    }


def main() -> int:
    result = measure()
    print(f"cost of one payment lifecycle on AWS ({result['region']}; {result['prices']})")
    print(
        f"lifecycle: order, UPI payment, success, full refund ({result['refund_status']}),"
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
    print("state transitions by machine: " + json.dumps(result["transitions_per_machine"]))
    print("measured durations (ms): " + json.dumps(result["durations_ms"]))
    print(
        "out of scope: CloudWatch Logs, X-Ray, CloudFront/S3, data transfer, idle SQS polls, INIT, free tiers"
    )
    print(json.dumps({"benchmark": "cost", **result}))
    if not result["settled"]:
        print("WARNING: not every published event was delivered within 60 s: the figures are partial")
    return 0 if result["refund_status"] == "processed" and result["settled"] else 1


if __name__ == "__main__":
    sys.exit(main())
