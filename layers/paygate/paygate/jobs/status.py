"""Test-mode insight into background work: queue depths, running executions, whether workers poll.

Tests and tools wait on ``idle`` instead of sleeping. Worker liveness is the Lambda API's view of each
worker's event-source mappings (``State: Enabled``), which localcloud answers for its pollers.
"""

from __future__ import annotations

from paygate.core import aws
from paygate.core.settings import JobsStatusEnv
from paygate.jobs.models import JobsStatus, QueueStatus, StateMachineStatus, WorkerStatus

_ATTRIBUTES = {
    "pending": "ApproximateNumberOfMessages",
    "in_flight": "ApproximateNumberOfMessagesNotVisible",
    "delayed": "ApproximateNumberOfMessagesDelayed",
}


def jobs_status(settings: JobsStatusEnv) -> JobsStatus:
    sqs, sfn, lam = aws.client("sqs"), aws.client("stepfunctions"), aws.client("lambda")
    queues = []
    for url in settings.job_queues:
        found = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=list(_ATTRIBUTES.values()))
        counts = {field: int(found["Attributes"].get(name, 0)) for field, name in _ATTRIBUTES.items()}
        queues.append(QueueStatus(name=url.rsplit("/", 1)[-1], **counts))
    machines = []
    for arn in settings.job_state_machines:
        pages = sfn.get_paginator("list_executions").paginate(stateMachineArn=arn, statusFilter="RUNNING")
        running = sum(len(page["executions"]) for page in pages)
        machines.append(StateMachineStatus(name=arn.rsplit(":", 1)[-1], running=running))
    workers = []
    for function in settings.job_workers:
        mappings = lam.list_event_source_mappings(FunctionName=function)["EventSourceMappings"]
        workers.append(
            WorkerStatus(
                function=function,
                sources=[m["EventSourceArn"].rsplit(":", 1)[-1] for m in mappings],
                live=bool(mappings) and all(m["State"] == "Enabled" for m in mappings),
            )
        )
    idle = all(q.pending == q.in_flight == q.delayed == 0 for q in queues) and all(
        m.running == 0 for m in machines
    )
    return JobsStatus(
        queues=queues,
        state_machines=machines,
        workers=workers,
        workers_live=all(w.live for w in workers),
        idle=idle,
    )
