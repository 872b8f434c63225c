"""SQS fair queues: a standard queue hands its messages out fairly between MessageGroupIds (tenants).

On AWS a standard queue whose messages carry a ``MessageGroupId`` is a fair queue: when one tenant
holds a disproportionate share of the consumers (more than 10 % of the messages in flight and at
least 30 of them, or more than 10 % of the recent processing time), SQS returns the other tenants'
messages first, so a quiet tenant's message does not wait behind a noisy tenant's backlog. moto hands
out the oldest visible messages first, whatever their group.

Here every receive from a standard queue takes the visible messages in rounds: the oldest message of
each group, then the second of each, and so on (a message without a group is a group of its own, as
on AWS). With a backlog, a quiet tenant's message is therefore in the very next receive; without
one nothing changes (messages go out as they arrive). The difference from AWS: AWS reorders only once
a tenant is detected as noisy, these rounds always apply; both hand a quiet tenant's message out
before a noisy tenant's backlog. FIFO queues keep moto's order (their groups are ordering groups).
"""

from __future__ import annotations

from typing import Any

from moto.sqs.models import Queue

_original: list[property] = []


def _fair_messages(queue: Queue) -> list[Any]:
    visible = _original[0].fget(queue)  # type: ignore[misc]
    if queue.fifo_queue or len(visible) < 2 or not any(m.group_id for m in visible):
        return visible
    taken: dict[str, int] = {}
    ranked = []
    for position, message in enumerate(visible):
        group = message.group_id or f"\0{message.id}"
        rank = taken.get(group, 0)
        taken[group] = rank + 1
        ranked.append((rank, position, message))
    ranked.sort(key=lambda entry: entry[:2])
    return [message for _rank, _position, message in ranked]


def install() -> None:
    if not _original:
        _original.append(Queue.messages)  # type: ignore[arg-type]
        Queue.messages = property(_fair_messages)  # type: ignore[method-assign,assignment]


def uninstall() -> None:
    if _original:
        Queue.messages = _original.pop()  # type: ignore[method-assign]
