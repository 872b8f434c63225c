from __future__ import annotations

from typing import Literal

from pydantic import BaseModel


class DependencyCheck(BaseModel):
    name: str
    kind: Literal["dynamodb", "sqs", "start_step"]
    status: Literal["ok", "error"]
    latency_ms: int
    error: str | None = None


class HealthReport(BaseModel):
    # degraded: a dependency does not answer; starting: they do, but a start step has not run yet
    status: Literal["ok", "degraded", "starting"]
    checks: list[DependencyCheck]
    time: str
