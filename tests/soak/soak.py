"""Soak: payments and refunds through the HTTP API while every worker and the outbox fail at random.

    python -m tests.soak.soak --payments 500 --p 0.1     (what `make soak` runs)

Faults (infra/localcloud/faults.py): AttemptPayment, ProcessPayment, DispatchJobs, ProcessRefund,
PublishEvents, DispatchWebhooks, DeliverWebhook raise or time out, the API routes raise, and the functions'
DynamoDB / SQS / EventBridge / Step Functions calls are throttled, each with probability ``p``. The
merchant retries a 5xx (and 409 in-progress / 429) with the same Idempotency-Key. Then it checks:
every payment and refund is terminal; no money is duplicated; every event of the payments table's
stream reached the webhook receiver (deduped by ``webhook-id``: exactly the stream's ids); DLQs end
empty (what they held is redriven, as ``paygate dlq redrive`` does); no stream batch was given up on
(StreamFailureQueue, the stream mappings' OnFailure destination, stays empty).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import requests
from localcloud.runtime import LocalCloud
from paygate_cli.dlq import redrive
from paygate_cli.local import local_parameters
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from benchmarks import sections
from tests.helpers import PRODUCT
from tests.integration.gateway.client import SEED_KEY, UPI, card
from tests.integration.gateway.receiver import Receiver, start_receiver

WORKERS = (
    "AttemptPayment",
    "ProcessPayment",
    "DispatchJobs",
    "ProcessRefund",
    "PublishEvents",
    "DispatchWebhooks",
    "DeliverWebhook",
)
API_ROUTES = ("CreateOrder", "CreatePayment", "CreateRefund", "GetPayment", "GetRefund")
RETRYABLE = {409, 429, 500, 502, 503, 504}
TERMINAL_PAYMENT = {"success", "captured", "failed", "refunded"}


def fault_plan(p: float, seed: int) -> dict[str, Any]:
    rules: list[dict[str, Any]] = [
        {"function": list(WORKERS), "fault": "raise", "p": p / 2},
        {"function": list(WORKERS), "fault": "timeout", "p": p / 2},
        {"function": list(API_ROUTES), "fault": "raise", "p": p / 2},
        {"function": list(API_ROUTES), "fault": "timeout", "p": p / 2},
    ]
    rules += [
        {"service": s, "fault": "throttle", "p": p, "functions": "*"}
        for s in ("dynamodb", "sqs", "events", "sfn")
    ]
    return {"seed": seed, "rules": rules}


@dataclass
class Figures:
    payments: int = 0
    payments_failed: int = 0
    refunds: int = 0
    refunds_rejected_over_limit: int = 0
    api_retries: int = 0
    events_expected: int = 0
    deliveries_received: int = 0
    redeliveries: int = 0
    duplicates: int = 0
    redriven: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    wall_seconds: float = 0.0


class Merchant:
    """The seeded test merchant's client: retries 5xx / 409 / 429 with the same Idempotency-Key."""

    def __init__(self, base: str, figures: Figures) -> None:
        self.base = base
        self.figures = figures
        self.local = threading.local()
        self.lock = threading.Lock()

    @property
    def session(self) -> requests.Session:
        if not hasattr(self.local, "session"):
            self.local.session = requests.Session()
            self.local.session.headers.update({"X-Api-Key": SEED_KEY[0], "X-Api-Secret": SEED_KEY[1]})
        return self.local.session

    def call(self, method: str, path: str, body: Any = None, key: str | None = None) -> requests.Response:
        headers = {"Idempotency-Key": key} if key else {}
        for attempt in range(60):
            try:
                response = self.session.request(
                    method, self.base + path, json=body, headers=headers, timeout=30
                )
            except requests.RequestException:
                response = None
            if response is not None and response.status_code not in RETRYABLE:
                return response
            with self.lock:
                self.figures.api_retries += 1
            time.sleep(min(0.05 * 2**attempt, 1.0))
        raise AssertionError(f"{method} {path}: still failing after 60 attempts")

    def create(self, path: str, body: Any) -> dict[str, Any] | None:
        response = self.call("POST", path, body, key=str(uuid.uuid4()))
        if response.status_code != 201:
            with self.lock:
                self.figures.problems.append(f"POST {path}: {response.status_code} {response.text[:200]}")
            return None
        return response.json()

    def until(self, path: str, done: set[str], timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            body = self.call("GET", path).json()
            if body.get("status") in done or time.monotonic() > deadline:
                return body
            time.sleep(0.2)


def one_payment(merchant: Merchant, number: int, timeout: float) -> dict[str, Any] | None:
    """Order, payment (UPI or card), then two refunds of half and an over-refund that must fail."""
    amount = 1000 + number
    order = merchant.create("/api/v1/orders", {"amount": amount})
    method = UPI if number % 2 else card()
    payment = merchant.create("/api/v1/payments", {"order_id": order["id"], **method}) if order else None
    if order is None or payment is None:
        return None
    final = merchant.until(f"/api/v1/payments/{payment['id']}", TERMINAL_PAYMENT, timeout)
    refunds: list[dict[str, Any]] = []
    rejected = 0
    if final["status"] in ("success", "captured"):
        half = amount // 2
        for part in (half, amount - half):
            refund = merchant.create(f"/api/v1/payments/{payment['id']}/refunds", {"amount": part})
            if refund is not None:
                refunds.append(refund)
        if len(refunds) == 2:
            over = merchant.call(
                "POST", f"/api/v1/payments/{payment['id']}/refunds", {"amount": 1}, key=str(uuid.uuid4())
            )
            if 400 <= over.status_code < 500:
                rejected += 1
            else:
                with merchant.lock:
                    merchant.figures.problems.append(
                        f"an over-refund answered {over.status_code} {over.text[:200]}"
                    )
    return {"order": order, "payment": payment, "refunds": refunds, "rejected": rejected, "amount": amount}


class StreamEvents:
    """Every event id the payments table's changes imply, derived as PublishEvents derives them;
    read incrementally (each shard from TRIM_HORIZON once, then only what is new)."""

    def __init__(self, cloud: LocalCloud) -> None:
        table = boto3.client("dynamodb", region_name=cloud.region).describe_table(
            TableName=cloud.physical("Payments/PaymentsTable")
        )["Table"]
        self.arn = table["LatestStreamArn"]
        self.streams = boto3.client("dynamodbstreams", region_name=cloud.region)
        self.iterators: dict[str, str | None] = {}
        self.ids: set[str] = set()

    def read(self) -> set[str]:
        from paygate.core import dynamo
        from paygate.events.publish import Change, cloud_events

        shards = self.streams.describe_stream(StreamArn=self.arn)["StreamDescription"]["Shards"]
        for shard in shards:
            iterator = (
                self.iterators.get(shard["ShardId"])
                or self.streams.get_shard_iterator(
                    StreamArn=self.arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
                )["ShardIterator"]
            )
            while iterator:
                answer = self.streams.get_records(ShardIterator=iterator, Limit=1000)
                for record in answer["Records"]:
                    images = record["dynamodb"]
                    old = dynamo.from_item(images["OldImage"]) if "OldImage" in images else None
                    new = dynamo.from_item(images["NewImage"]) if "NewImage" in images else None
                    change = Change(images["SequenceNumber"], old, new)
                    self.ids.update(event["id"] for event in cloud_events(change))
                iterator = answer.get("NextShardIterator")
                self.iterators[shard["ShardId"]] = iterator
                if not answer["Records"]:
                    break
        return set(self.ids)


def queue_depths(cloud: LocalCloud, *logical_ids: str) -> dict[str, int]:
    sqs = boto3.client("sqs", region_name=cloud.region)
    depths = {}
    for logical in logical_ids:
        attributes = sqs.get_queue_attributes(
            QueueUrl=cloud.physical(logical),
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        depths[logical] = int(attributes["ApproximateNumberOfMessages"]) + int(
            attributes["ApproximateNumberOfMessagesNotVisible"]
        )
    return depths


def dlq_depths(cloud: LocalCloud) -> dict[str, int]:
    return queue_depths(cloud, "Webhooks/WebhookDeadLetterQueue", "Payments/RefundDeadLetterQueue")


def received_ids(receiver: Receiver) -> list[str]:
    return [r.headers.get("webhook-id", "") for r in list(receiver.received) if r.path == "/soak"]


@contextlib.contextmanager
def _progress(show: bool, total: int) -> Iterator[Callable[[], None]]:
    """A rich progress bar of the payments made (the CLI's long run); nothing in the test."""
    if not show:
        yield lambda: None
        return
    with Progress(
        TextColumn("soak"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), transient=True
    ) as bar:
        task = bar.add_task("payments", total=total)
        yield lambda: bar.advance(task)


def run(
    payments: int,
    p: float,
    seed: int = 7,
    time_scale: float = 0.02,
    settle: float = 120.0,
    show_progress: bool = False,
) -> tuple[Figures, LocalCloud]:
    figures = Figures()
    started = time.monotonic()
    with contextlib.contextmanager(start_receiver)() as receiver:
        cloud = LocalCloud(
            PRODUCT,
            port=0,
            parameters=local_parameters(PRODUCT),
            time_scale=time_scale,
            faults=fault_plan(p, seed),
        )
        with cloud:
            merchant = Merchant(cloud.url, figures)
            merchant.create(
                "/api/v1/webhook_endpoints", {"url": receiver.url + "/soak", "enabled_events": ["*"]}
            )
            with ThreadPoolExecutor(max_workers=8) as pool, _progress(show_progress, payments) as advance:
                flows = []
                for flow in pool.map(lambda n: one_payment(merchant, n, settle), range(payments)):
                    advance()
                    if flow:
                        flows.append(flow)
            check_money(merchant, flows, figures, settle)
            check_events(cloud, receiver, figures, settle)
            figures.wall_seconds = time.monotonic() - started
            return figures, cloud


def check_money(merchant: Merchant, flows: list[dict[str, Any]], figures: Figures, settle: float) -> None:
    """Every flow checked through the API, eight at a time (each answer is a few API calls)."""
    figures.payments = len(flows)
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda flow: check_flow(merchant, flow, figures, settle), flows))


def check_flow(merchant: Merchant, flow: dict[str, Any], figures: Figures, settle: float) -> None:
    problems: list[str] = []
    duplicates = refunds_seen = 0
    payment_id, order_id = flow["payment"]["id"], flow["order"]["id"]
    payment = merchant.until(f"/api/v1/payments/{payment_id}", TERMINAL_PAYMENT, settle)
    if payment["status"] not in TERMINAL_PAYMENT:
        problems.append(f"payment {payment_id} stuck {payment['status']}")
    listed = merchant.call("GET", f"/api/v1/orders/{order_id}/payments").json()["items"]
    if len(listed) != 1:
        duplicates += len(listed) - 1
        problems.append(f"order {order_id} has {len(listed)} payments (one was created)")
    order = merchant.call("GET", f"/api/v1/orders/{order_id}").json()
    paid = [p for p in listed if p["status"] in ("success", "captured", "refunded")]
    if len(paid) > 1 or (order["status"] == "paid") != bool(paid):
        problems.append(f"order {order_id} is {order['status']} with {len(paid)} paid payments")
    refunds = merchant.call("GET", f"/api/v1/payments/{payment_id}/refunds").json()["items"]
    if len(refunds) != len(flow["refunds"]):
        duplicates += max(0, len(refunds) - len(flow["refunds"]))
        problems.append(f"payment {payment_id}: {len(refunds)} refunds, {len(flow['refunds'])} created")
    if (
        sum(r["amount"] for r in refunds) > flow["amount"]
        or payment.get("amount_refunded", 0) > flow["amount"]
    ):
        problems.append(f"payment {payment_id} refunded above its amount")
    for refund in refunds:
        refunds_seen += 1
        final = merchant.until(f"/api/v1/refunds/{refund['id']}", {"processed", "failed"}, settle)
        if final["status"] not in ("processed", "failed"):
            problems.append(f"refund {refund['id']} stuck {final['status']}")
    with merchant.lock:
        figures.payments_failed += payment["status"] == "failed"
        figures.refunds_rejected_over_limit += flow["rejected"]
        figures.refunds += refunds_seen
        figures.duplicates += duplicates
        figures.problems += problems


def check_events(cloud: LocalCloud, receiver: Receiver, figures: Figures, settle: float) -> None:
    """Wait until every event of the stream has reached the receiver. ``settle`` bounds a stall, not
    the whole wait: localcloud runs every function in one process, so a backlog of thousands of
    events drains slowly, but it must keep draining; no new delivery for ``settle`` s is a failure."""
    stream = StreamEvents(cloud)
    expected = stream.read()
    delivered = len(set(received_ids(receiver)))
    deadline = time.monotonic() + settle
    while True:
        missing = expected - set(received_ids(receiver))
        if not missing:
            break
        if len(expected) - len(missing) > delivered:  # progress: the stall clock starts again
            delivered = len(expected) - len(missing)
            deadline = time.monotonic() + settle
        if any(dlq_depths(cloud).values()):
            for name, count in redrive(boto3.client("sqs", region_name=cloud.region)).items():
                figures.redriven[name] = figures.redriven.get(name, 0) + count
        if time.monotonic() > deadline:
            figures.problems.append(
                f"{len(missing)} events never delivered (no delivery for {settle:.0f} s),"
                f" e.g. {sorted(missing)[:3]}"
            )
            break
        time.sleep(2)
        expected = stream.read()  # late writes (refunds processed) add events
    figures.events_expected = len(expected)
    time.sleep(1)  # let in-flight retries land before counting
    seen = received_ids(receiver)
    counts = Counter(seen)
    figures.deliveries_received = len(seen)
    figures.redeliveries = len(seen) - len(counts)
    unexpected = set(counts) - expected
    if unexpected:
        figures.problems.append(
            f"{len(unexpected)} delivered ids not in the stream, e.g. {sorted(unexpected)[:3]}"
        )
    depths = dlq_depths(cloud)
    if any(depths.values()):
        for name, count in redrive(boto3.client("sqs", region_name=cloud.region)).items():
            figures.redriven[name] = figures.redriven.get(name, 0) + count
    given_up = queue_depths(cloud, "Payments/StreamFailureQueue")["Payments/StreamFailureQueue"]
    if given_up:  # a payment job or an outbox event the stream consumers dropped
        figures.problems.append(f"{given_up} stream batch(es) given up on (StreamFailureQueue)")


def report(figures: Figures, cloud: LocalCloud) -> str:
    lines = [
        f"payments          {figures.payments} ({figures.payments_failed} failed)",
        f"refunds           {figures.refunds} (+{figures.refunds_rejected_over_limit} over-refunds rejected)",
        f"api retries       {figures.api_retries} (same Idempotency-Key)",
        f"events            {figures.events_expected} in the stream, {figures.deliveries_received} deliveries"
        f" received, {figures.redeliveries} redeliveries (deduped by webhook-id)",
        f"dlq redriven      {json.dumps(figures.redriven)}",
        f"duplicates        {figures.duplicates}",
        f"problems          {len(figures.problems)}",
        *[f"  - {problem}" for problem in figures.problems],
        f"wall time         {figures.wall_seconds:.1f} s",
    ]
    if cloud.faults is not None:
        lines.append(cloud.faults.report())
    return "\n".join(lines)


def results_lines(figures: Figures, cloud: LocalCloud, command: str, load: tuple[float, float]) -> list[str]:
    """The soak's section of benchmarks/RESULTS.md."""
    plan = cloud.faults
    faults = f"{plan.total} of {sum(plan.draws.values())} decisions" if plan else "none"
    verdict = "passed" if not figures.problems and not figures.duplicates else "**FAILED**"
    return [
        "## Soak (`make soak`)",
        "",
        f"`{command}` on {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores,"
        f" 1-min load average {load[0]:.2f} before / {load[1]:.2f} after: **{verdict}**. Eight merchant"
        " clients at once; every worker, the outbox and the API routes raise or time out, and their"
        " DynamoDB / SQS / EventBridge / Step Functions calls are throttled, each rule with the given"
        " probability per call (tests/soak/soak.py, infra/localcloud/faults.py).",
        "",
        "| figure | value |",
        "| --- | --- |",
        f"| payments | {figures.payments} ({figures.payments_failed} failed) |",
        f"| refunds | {figures.refunds} (+{figures.refunds_rejected_over_limit} over-refunds rejected) |",
        f"| faults injected | {faults} |",
        f"| API retries (same Idempotency-Key) | {figures.api_retries} |",
        f"| events in the payments stream | {figures.events_expected} |",
        f"| webhook deliveries received | {figures.deliveries_received} ({figures.redeliveries} redeliveries,"
        " deduped by `webhook-id`) |",
        f"| DLQ messages redriven | {json.dumps(figures.redriven)} |",
        f"| duplicated money objects | {figures.duplicates} |",
        f"| problems | {len(figures.problems)} |",
        f"| wall time | {figures.wall_seconds:.0f} s |",
        "",
        "```",
        *(plan.report().splitlines() if plan else []),
        *[f"problem: {problem}" for problem in figures.problems],
        "```",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payments", type=int, default=500)
    parser.add_argument("--p", type=float, default=0.1, help="fault probability per rule and call")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--time-scale", type=float, default=0.02)
    parser.add_argument(
        "--settle", type=float, default=300.0, help="longest wait for a state change or a new delivery (s)"
    )
    parser.add_argument("--results", type=Path, help="write the figures as a section of this RESULTS.md")
    args = parser.parse_args(argv)
    load = os.getloadavg()[0]
    figures, cloud = run(args.payments, args.p, args.seed, args.time_scale, args.settle, show_progress=True)
    print(report(figures, cloud), flush=True)
    if args.results:
        command = f"python -m tests.soak.soak --payments {args.payments} --p {args.p} --seed {args.seed}"
        lines = results_lines(figures, cloud, command, (load, os.getloadavg()[0]))
        sections.replace(args.results, "soak", lines)
        print(f"wrote the soak section of {args.results}", flush=True)
    return 1 if figures.problems or figures.duplicates else 0


if __name__ == "__main__":
    sys.exit(main())
