"""One delivery attempt, the work of the webhook_delivery workflow's Task.

POST the stored body (byte-identical on every attempt) with fresh signatures; 5 s timeout; redirects
are not followed (a 3xx is a failure); at most 2 KB of the answer is read and kept. 2xx: succeeded.
410 Gone: the endpoint is disabled and the delivery failed. Otherwise the next wait is the next
interval of the schedule (a longer ``Retry-After`` on 429/503 wins); after the last, failed.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import urllib3

from paygate.core import clock, dynamo
from paygate.core.settings import WebhookEnv
from paygate.webhooks import service, signing, store
from paygate.webhooks.urls import check_url

TIMEOUT_SECONDS = 5
BODY_LIMIT = 2048
_http = urllib3.PoolManager(
    timeout=urllib3.Timeout(connect=TIMEOUT_SECONDS, read=TIMEOUT_SECONDS), retries=False, maxsize=20
)


def _send(url: str, headers: dict[str, str], body: str) -> tuple[int | None, str | None, str | None, dict]:
    try:
        response = _http.request(
            "POST", url, body=body.encode(), headers=headers, redirect=False, preload_content=False
        )
    except urllib3.exceptions.HTTPError as exc:
        return None, None, type(exc).__name__, {}
    try:
        snippet = response.read(BODY_LIMIT, decode_content=True)
    finally:
        response.release_conn()
    return response.status, snippet.decode(errors="replace"), None, dict(response.headers)


def attempt(delivery_id: str, schedule: list[int]) -> dict[str, Any]:
    """Make the next attempt; returns ``{"finished": bool, "wait_seconds": n}`` for the workflow."""
    delivery = store.objects.get(delivery_id)
    if delivery is None or delivery["status"] != "pending":
        return {"finished": True, "wait_seconds": 0}
    number = int(delivery["attempt_count"]) + 1
    found = service.target(delivery["merchant_id"], delivery["endpoint_id"])
    started = time.perf_counter()
    now = clock.now()
    code = snippet = error = None
    answer_headers: dict[str, str] = {}
    unreachable = found is None or not found[2]  # deleted or disabled: no point waiting
    if unreachable:
        error = "endpoint deleted or disabled"
    else:
        url, secret, _enabled = found
        try:
            if not WebhookEnv.load().test_mode or delivery["mode"] == "live":
                check_url(url, delivery["mode"])  # again at send time: DNS may have changed
        except Exception as exc:
            error = f"refused: {exc}"
        else:
            headers = {
                "Content-Type": "application/json",
                "User-Agent": "paygate-webhooks/1",
                **signing.headers(secret, delivery["event_id"], int(now.timestamp()), delivery["body"]),
            }
            code, snippet, error, answer_headers = _send(url, headers, delivery["body"])
    record = {
        "number": number,
        "at": clock.iso_now(),
        "response_code": code,
        "response_body": snippet,
        "error": error,
        "duration_ms": int((time.perf_counter() - started) * 1000),
    }
    succeeded = code is not None and 200 <= code < 300
    gone = code == 410
    last = number >= len(schedule)
    wait = 0 if succeeded or gone or last or unreachable else int(schedule[number])
    if code in (429, 503):
        retry_after = (answer_headers.get("Retry-After") or answer_headers.get("retry-after") or "").strip()
        if retry_after.isdigit() and int(retry_after) > wait and not last:
            wait = int(retry_after)
    status = "succeeded" if succeeded else "failed" if (gone or last or unreachable) else "pending"
    finished = status != "pending"
    next_retry = None if finished else (now + timedelta(seconds=wait)).isoformat(timespec="milliseconds")
    sets = {
        "status": status,
        "attempt_count": number,
        "last_attempt_at": record["at"],
        "response_code": code,
        "next_retry_at": next_retry.replace("+00:00", "Z") if next_retry else None,
        "updated_at": record["at"],
    }
    op = store.objects.change(
        delivery_id, sets, "#attempt_count = :before", append={"attempts": [record]}, before=number - 1
    )
    if dynamo.update(op) is None:  # a twin Task recorded this attempt already
        return {"finished": False, "wait_seconds": wait}
    if gone:
        service.disable_endpoint(delivery["endpoint_id"])
    return {"finished": finished, "wait_seconds": wait}
