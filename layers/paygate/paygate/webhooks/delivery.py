"""The work of DeliverWebhook, the consumer of the fair delivery queue: fan-outs and attempts.

One attempt POSTs the stored body (byte-identical on every attempt) with fresh signatures. The URL is
checked again at send time in every mode (DNS may have changed since the endpoint was saved) and the
POST goes to the very addresses that check resolved (``sender``), all within one TOTAL deadline of
5 s: connect, TLS, send and read. Redirects are not followed (a 3xx is a failure); at most 2 KB of
the answer is kept. 2xx: succeeded. 410 Gone: the endpoint is disabled and the delivery failed.
Otherwise the next attempt waits the schedule's next interval (a longer ``Retry-After`` on 429/503
wins); after the last, failed. Nothing is sent for a suspended merchant: the delivery fails with
``failure_reason`` ``merchant_suspended`` (it can be retried once the account is active again).

An attempt is claimed before it sends (a conditional write on the delivery), so a message SQS hands
out twice, or a replayed event, never makes two POSTs of one attempt.
"""

from __future__ import annotations

import contextvars
import functools
import json
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit

from paygate.core import clock, dynamo
from paygate.core.errors import BadRequest
from paygate.core.observability import logger, metrics
from paygate.core.settings import WebhookEnv
from paygate.merchants import store as merchants_store
from paygate.webhooks import sender, service, signing, store
from paygate.webhooks.delivery_queue import Queued, after_wait, enqueue
from paygate.webhooks.urls import check_url

TIMEOUT_SECONDS = 5  # the total deadline of one attempt
CLAIM_SECONDS = 60  # a claim older than this (its consumer died) may be taken over
# attempts run in threads, and Metrics.add_metric (a read then a write of its set) is not atomic
_METRICS_LOCK = threading.Lock()


@dataclass(frozen=True)
class Outcome:
    finished: bool
    wait_seconds: int
    merchant_id: str
    mode: str


def _claim(delivery_id: str, generation: int, number: int) -> bool:
    """Take attempt ``number`` of ``generation``; False when it is done or another consumer holds it."""
    now = clock.now()
    token = f"{generation}:{number}"
    condition = (
        "#status = :pending AND #attempt_count = :before AND #retries = :generation"
        " AND (attribute_not_exists(#claim) OR #claim <> :token OR #claim_expires < :now)"
    )
    op = store.objects.change(
        delivery_id,
        {"claim": token, "claim_expires": clock.iso(now + timedelta(seconds=CLAIM_SECONDS))},
        condition,
        pending="pending",
        before=number - 1,
        generation=generation,
        token=token,
        now=clock.iso(now),
    )
    return dynamo.update(op) is not None


def attempt(delivery_id: str, generation: int, number: int, schedule: list[int]) -> Outcome | None:
    """Make attempt ``number``; None when there is nothing to do (a stale or duplicate message)."""
    delivery = store.objects.get(delivery_id)
    if delivery is None or delivery["status"] != "pending" or int(delivery.get("retries", 0)) != generation:
        return None
    done = int(delivery["attempt_count"])
    if done == number:  # recorded, but its consumer stopped before scheduling the next: schedule it
        wait = clock.seconds_until(delivery.get("next_retry_at"))
        return Outcome(False, wait, delivery["merchant_id"], delivery["mode"])
    if done != number - 1 or not _claim(delivery_id, generation, number):
        return None
    started = time.perf_counter()
    now = clock.now()
    code = snippet = error = reason = None
    answer_headers: dict[str, str] = {}
    merchant = merchants_store.get_merchant(delivery["merchant_id"])
    found = service.target(delivery["merchant_id"], delivery["endpoint_id"], delivery["mode"])
    if merchant is None or merchant.get("status") != "active":
        error, reason = "not sent: the merchant account is suspended", "merchant_suspended"
    elif found is None or not found[2]:  # deleted or disabled: no point waiting
        error, reason = "endpoint deleted or disabled", "endpoint_unavailable"
    else:
        url, secret, _enabled = found
        deadline = time.monotonic() + TIMEOUT_SECONDS
        try:  # again at send time, in every mode: DNS may have changed since the endpoint was saved
            destination = check_url(url, delivery["mode"], timeout=deadline - time.monotonic())
        except BadRequest as exc:
            error = f"refused: {exc.description}"
        else:
            body = store.body_of(delivery)  # byte-identical on every attempt
            headers = {
                "Content-Type": "application/json",
                "User-Agent": "paygate-webhooks/1",
                **signing.headers(secret, delivery["event_id"], int(now.timestamp()), body),
            }
            answer = sender.post(destination, headers, body.encode(), deadline)
            code, snippet, error, answer_headers = answer.status, answer.body, answer.error, answer.headers
    record = {
        "number": number,
        "at": clock.iso_now(),
        "response_code": code,
        "response_body": snippet,
        "error": error,
        "duration_ms": int((time.perf_counter() - started) * 1000),
    }
    succeeded = code is not None and 200 <= code < 300 and error is None
    if reason is None:  # sent (or refused at send time): the WebhookAttemptsFailingAlarm's share
        with _METRICS_LOCK:
            metrics.add_metric(name="WebhookAttempts", unit=MetricUnit.Count, value=1)
            metrics.add_metric(name="WebhookAttemptsFailed", unit=MetricUnit.Count, value=int(not succeeded))
    gone = code == 410
    last = number >= len(schedule)
    stop = reason is not None  # suspended, deleted or disabled: waiting would not help
    wait = 0 if succeeded or gone or last or stop else int(schedule[number])
    if code in (429, 503) and not last and not stop:
        retry_after = {k.lower(): v for k, v in answer_headers.items()}.get("retry-after", "").strip()
        if retry_after.isdigit() and int(retry_after) > wait:
            wait = int(retry_after)
    if gone:
        reason = "endpoint_gone"
    elif last and not succeeded and reason is None:
        reason = "attempts_exhausted"
    status = "succeeded" if succeeded else "failed" if (gone or last or stop) else "pending"
    finished = status != "pending"
    sets = {
        "status": status,
        "attempt_count": number,
        "last_attempt_at": record["at"],
        "response_code": code,
        "next_retry_at": None if finished else clock.iso(now + timedelta(seconds=wait)),
        "failure_reason": reason if status == "failed" else None,
        "updated_at": record["at"],
    }
    op = store.objects.change(
        delivery_id, sets, "#attempt_count = :before", append={"attempts": [record]}, before=number - 1
    )
    if dynamo.update(op) is None:  # recorded by another consumer already
        return None
    if gone:
        service.disable_endpoint(delivery["endpoint_id"])
    return Outcome(finished, wait, delivery["merchant_id"], delivery["mode"])


def handle_attempt(message: dict[str, Any], schedule: list[int]) -> None:
    """An attempt message: the attempt, then (unless finished) the wait before the next one."""
    delivery_id, generation, number = (
        message["delivery_id"],
        int(message["generation"]),
        int(message["attempt"]),
    )
    outcome = attempt(delivery_id, generation, number, schedule)
    if outcome is None or outcome.finished:
        return
    next_attempt = Queued(delivery_id, outcome.merchant_id, outcome.mode, generation, number + 1)
    after_wait(next_attempt, outcome.wait_seconds)


def fan_out_events(events: list[dict[str, Any]]) -> None:
    """One tenant's event messages of a batch, in order: their deliveries, the endpoints and the
    merchant read once for all of them, the first attempts queued together."""
    known: service.Known = {}
    queued: list[Queued] = []
    for event in events:
        made, first_attempts = service.deliveries_for(event, known=known)
        queued += first_attempts
        logger.info("webhook fan-out", extra={"event_id": event["id"], "deliveries": len(made)})
    enqueue(queued)


def handle_batch(records: list[dict[str, Any]]) -> dict[str, Any]:
    """A batch of the fair queue: each tenant's events fanned out (one worker per tenant) and every
    attempt, side by side (a batch of attempts takes one deadline, not ten). A record whose work
    raised is reported failed, so SQS hands it out again (its work is safe to do twice)."""
    settings = WebhookEnv.load()
    schedule = service.TEST_SCHEDULE if settings.webhook_retry_intervals_test else service.SCHEDULE
    work: list[tuple[list[str], Callable[[], None]]] = []
    events: dict[tuple[str, str], list[tuple[str, dict[str, Any]]]] = {}
    failed: list[str] = []
    for record in records:
        try:
            message = json.loads(record["body"])
        except ValueError:
            logger.error(
                "not a webhook message: left to the dead-letter queue", extra={"id": record["messageId"]}
            )
            failed.append(record["messageId"])
            continue
        if "event" in message:
            tenant_events = events.setdefault((message["event"]["merchantid"], message["event"]["mode"]), [])
            tenant_events.append((record["messageId"], message["event"]))
        else:
            work.append(([record["messageId"]], functools.partial(handle_attempt, message, schedule)))
    for found in events.values():
        ids, batch = [ident for ident, _ in found], [event for _, event in found]
        work.append((ids, functools.partial(fan_out_events, batch)))
    with ThreadPoolExecutor(max_workers=max(len(work), 1)) as pool:
        running = [(ids, pool.submit(contextvars.copy_context().run, task)) for ids, task in work]
        for ids, future in running:
            try:
                future.result()
            except Exception:
                logger.exception("webhook work failed; its messages return", extra={"ids": ids})
                failed += ids
    return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failed]}
