"""What ``GET /api/v1/test/jobs/status`` reports."""

from __future__ import annotations

from pydantic import BaseModel


class QueueStatus(BaseModel):
    name: str
    pending: int
    in_flight: int
    delayed: int


class StateMachineStatus(BaseModel):
    name: str
    running: int


class WorkerStatus(BaseModel):
    function: str
    sources: list[str]
    live: bool


class JobsStatus(BaseModel):
    queues: list[QueueStatus]
    state_machines: list[StateMachineStatus]
    workers: list[WorkerStatus]
    workers_live: bool
    idle: bool
