from __future__ import annotations

from typing import Literal

from pydantic import BaseModel


class DependencyCheck(BaseModel):
    name: str
    kind: Literal["dynamodb", "sqs"]
    status: Literal["ok", "error"]
    latency_ms: int
    error: str | None = None


class HealthReport(BaseModel):
    status: Literal["ok", "degraded"]
    checks: list[DependencyCheck]
    time: str
