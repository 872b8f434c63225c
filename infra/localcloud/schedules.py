"""EventBridge schedule rules (``rate(...)``, ``cron(...)``), fired on time (scaled by ``timescale``).

A firing sends the rule the event EventBridge sends (``detail-type: Scheduled Event``) through moto's
rule delivery, so SQS, Lambda and Step Functions targets all work. Like EventBridge, the first firing
of a rate rule comes one period after the rule is created.
"""

from __future__ import annotations

import heapq
import re
import threading
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from croniter import croniter

from localcloud import timescale
from localcloud.errors import TemplateError
from localcloud.logs import log
from localcloud.provision import ACCOUNT, RuleSpec

_RATE = re.compile(r"^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$")
_UNIT = {"minute": 60, "hour": 3600, "day": 86400}


def aws_cron_to_croniter(expression: str) -> str:
    """AWS cron has six fields (minutes hours day-of-month month day-of-week year), ``?`` and 1=SUN."""
    fields = expression.split()
    if len(fields) != 6:
        raise ValueError(f"cron({expression}) needs 6 fields")
    minute, hour, dom, month, dow, _year = fields
    dom = "*" if dom == "?" else dom
    dow = "*" if dow == "?" else ",".join(_day_of_week(token) for token in dow.split(","))
    return " ".join([minute, hour, dom, month, dow])


def _day_of_week(token: str) -> str:
    """AWS numbers days 1-7 from Sunday, croniter 0-6; AWS "6L" (last Friday) is croniter "L5"."""

    def day(number: str) -> str:
        if not "1" <= number <= "7" or len(number) != 1:
            raise ValueError(f"day of week {number} is not 1-7")
        return str(int(number) - 1)

    if match := re.fullmatch(r"(\d)L", token):
        return f"L{day(match.group(1))}"
    if match := re.fullmatch(r"(\d)#(\d)", token):
        return f"{day(match.group(1))}#{match.group(2)}"
    if match := re.fullmatch(r"(\d)-(\d)", token):
        return f"{day(match.group(1))}-{day(match.group(2))}"
    if re.fullmatch(r"\d", token):
        return day(token)
    return token  # "*", names such as MON-FRI


class Schedule:
    def __init__(self, rule: RuleSpec) -> None:
        self.rule = rule
        expression = rule.schedule or ""
        rate = _RATE.match(expression)
        self.period: float | None = None
        self.cron: str | None = None
        if rate:
            self.period = int(rate.group(1)) * _UNIT[rate.group(2).rstrip("s")]
        elif expression.startswith("cron(") and expression.endswith(")"):
            try:
                self.cron = aws_cron_to_croniter(expression[5:-1])
                croniter(self.cron)
            except (ValueError, KeyError) as exc:
                raise TemplateError(rule.logical_id, f"ScheduleExpression {expression}: {exc}") from exc
        else:
            raise TemplateError(
                rule.logical_id, f"ScheduleExpression {expression!r} is not rate(...) or cron(...)"
            )

    def next_delay(self) -> float:
        """Seconds (already time-scaled) until the next firing."""
        if self.period is not None:
            return timescale.seconds(self.period)
        now = datetime.now(UTC)
        following = croniter(self.cron, now).get_next(datetime)
        return timescale.seconds((following - now).total_seconds())


class Scheduler(threading.Thread):
    def __init__(self, rules: list[RuleSpec], region: str, fire: Any) -> None:
        super().__init__(name="localcloud-scheduler", daemon=True)
        self.region = region
        self.fire = fire
        self.schedules = [Schedule(rule) for rule in rules if rule.schedule and rule.enabled]
        self.stopping = threading.Event()

    def stop(self) -> None:
        self.stopping.set()

    def event(self, rule: RuleSpec) -> dict[str, Any]:
        return {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": ACCOUNT,
            "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": self.region,
            "resources": [rule.arn],
            "detail": {},
        }

    def run(self) -> None:
        queue = [(time.monotonic() + s.next_delay(), index) for index, s in enumerate(self.schedules)]
        heapq.heapify(queue)
        while queue and not self.stopping.is_set():
            due, index = queue[0]
            if self.stopping.wait(max(0.0, due - time.monotonic())):
                return
            heapq.heappop(queue)
            schedule = self.schedules[index]
            try:
                self.fire(schedule.rule, self.event(schedule.rule))
            except Exception:
                log.exception("scheduled rule failed to fire", extra={"rule": schedule.rule.name})
            heapq.heappush(queue, (time.monotonic() + schedule.next_delay(), index))
