"""The fair delivery queue: every piece of webhook work, per merchant and mode, goes through it.

Two kinds of message, both with ``MessageGroupId`` = the merchant and mode (the tenant):

- ``{"event": {...}}``: an event to fan out into deliveries. DispatchWebhooks only moves the events
  of the bus's queue (first in, first out, whoever they belong to) onto this queue, ten per call;
  reading endpoints and writing deliveries happens here, in the event's tenant's turn.
- ``{"delivery_id", "generation", "attempt"}``: one delivery attempt. The first is queued at fan-out;
  a later one waits in a ``webhook_delivery`` Step Functions execution (Wait, then SendMessage to
  this queue), so only waiting costs state transitions, and retries queue fairly too. ``generation``
  counts manual retries (a retry starts again at attempt 1); with ``attempt`` it lets a duplicate or
  stale message be recognised: it does nothing.

On AWS the queue is an SQS fair queue (a standard queue whose messages carry a group id; no extra
charge): when one tenant's backlog holds a disproportionate share of the consumers, SQS hands the
other tenants' messages out first, so one merchant's burst does not make another's webhooks wait
behind it. localcloud hands messages out the same way (``localcloud.fairqueues``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from paygate.core import aws
from paygate.core.observability import logger
from paygate.core.settings import WebhookEnv

SEND_BATCH_LIMIT = 10


@dataclass(frozen=True)
class Queued:
    """An attempt to queue."""

    delivery_id: str
    merchant_id: str
    mode: str
    generation: int = 0
    attempt: int = 1


def tenant(merchant_id: str, mode: str) -> str:
    """The fair queue's tenant (MessageGroupId) of a merchant's webhooks in one mode."""
    return f"{merchant_id}#{mode}"


def _send(entries: list[tuple[str, str, str]]) -> list[str]:
    """SendMessageBatch ``(id, body, group)`` entries, ten per call; returns the ids SQS refused."""
    url = WebhookEnv.load().webhook_delivery_queue_url
    sqs = aws.client("sqs")
    refused: list[str] = []
    for start in range(0, len(entries), SEND_BATCH_LIMIT):
        chunk = entries[start : start + SEND_BATCH_LIMIT]
        answer = sqs.send_message_batch(
            QueueUrl=url,
            Entries=[
                {"Id": str(n), "MessageBody": body, "MessageGroupId": group}
                for n, (_ident, body, group) in enumerate(chunk)
            ],
        )
        refused += [chunk[int(failure["Id"])][0] for failure in answer.get("Failed", [])]
    return refused


def enqueue(items: list[Queued]) -> None:
    """Queue an attempt for each item now. Raises when SQS refused one: the caller's own message is
    then handed out again, and an attempt message sent twice does nothing the second time."""
    entries = []
    for item in items:
        body = {"delivery_id": item.delivery_id, "generation": item.generation, "attempt": item.attempt}
        entries.append((item.delivery_id, json.dumps(body), tenant(item.merchant_id, item.mode)))
    refused = _send(entries)
    if refused:
        raise RuntimeError(f"{len(refused)} attempt message(s) not queued, e.g. {refused[0]}")


def route_events(records: list[dict[str, Any]]) -> list[str]:
    """The bus queue's records (EventBridge envelopes) onto the fair queue as fan-out work of the
    event's tenant; returns the ids of the records SQS refused (they come back)."""
    entries, unreadable = [], []
    for record in records:
        try:
            event = json.loads(record["body"])["detail"]
            group = tenant(event["merchantid"], event["mode"])
        except (ValueError, KeyError, TypeError):
            unreadable.append(record["messageId"])
            logger.error("not an event: left to the dead-letter queue", extra={"message": unreadable[-1]})
            continue
        entries.append((record["messageId"], json.dumps({"event": event}, separators=(",", ":")), group))
    return unreadable + _send(entries)


def after_wait(item: Queued, wait_seconds: int) -> None:
    """Queue ``item`` after ``wait_seconds``: a ``webhook_delivery`` execution named for the delivery,
    generation and attempt, so asking twice waits once."""
    settings = WebhookEnv.load()
    sfn = aws.client("stepfunctions")
    try:
        sfn.start_execution(
            stateMachineArn=settings.webhook_state_machine_arn,
            name=f"{item.delivery_id}-{item.generation}-{item.attempt}",
            input=json.dumps(
                {
                    "delivery_id": item.delivery_id,
                    "generation": item.generation,
                    "attempt": item.attempt,
                    "wait_seconds": max(int(wait_seconds), 0),
                    "group": tenant(item.merchant_id, item.mode),
                }
            ),
        )
    except sfn.exceptions.ExecutionAlreadyExists:
        logger.info("attempt already scheduled", extra={"delivery_id": item.delivery_id})
