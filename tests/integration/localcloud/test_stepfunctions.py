"""Step Functions on moto's engine: Choice, Task with Retry, Wait, a DynamoDB integration, Catch, Pass."""

from __future__ import annotations

import json
import uuid

import boto3
from localcloud.runtime import LocalCloud

from tests.helpers import wait_for


def _run(cloud: LocalCloud, payload: dict) -> tuple[dict, list[dict]]:
    sfn = boto3.client("stepfunctions", region_name=cloud.region)
    arn = sfn.start_execution(stateMachineArn=cloud.physical("Workflow"), input=json.dumps(payload))[
        "executionArn"
    ]
    done = wait_for(
        lambda: (d := sfn.describe_execution(executionArn=arn))["status"] != "RUNNING" and d,
        timeout=30,
        what="the execution",
    )
    return done, sfn.get_execution_history(executionArn=arn)["events"]


def test_retry_then_wait_then_service_integration_with_history_in_order(cloud: LocalCloud, results) -> None:
    run = uuid.uuid4().hex
    execution, history = _run(cloud, {"run": run, "pause": 1})

    assert execution["status"] == "SUCCEEDED"
    assert json.loads(execution["output"]) == {"run": run, "pause": 1, "attempts": 3}
    assert [event["type"] for event in history] == [
        "ExecutionStarted",
        "ChoiceStateEntered", "ChoiceStateExited",
        "TaskStateEntered",
        "TaskScheduled", "TaskStarted", "TaskFailed",  # attempt 1: TransientError
        "TaskScheduled", "TaskStarted", "TaskFailed",  # attempt 2: TransientError
        "TaskScheduled", "TaskStarted", "TaskSucceeded",  # attempt 3
        "TaskStateExited",
        "WaitStateEntered", "WaitStateExited",
        "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSucceeded", "TaskStateExited",
        "SucceedStateEntered", "SucceedStateExited",
        "ExecutionSucceeded",
    ]  # fmt: skip
    assert [event["id"] for event in history] == list(range(1, len(history) + 1))
    failures = [e["taskFailedEventDetails"] for e in history if e["type"] == "TaskFailed"]
    assert [f["error"] for f in failures] == ["TransientError", "TransientError"]
    assert json.loads(failures[0]["cause"])["errorMessage"] == f"attempt 1 of run {run}"

    times = {e["type"]: e["timestamp"] for e in history if e["type"].startswith("Wait")}
    assert (times["WaitStateExited"] - times["WaitStateEntered"]).total_seconds() >= 0.95
    scheduled = [e["timestamp"] for e in history if e["type"] == "TaskScheduled"][:3]
    assert (scheduled[1] - scheduled[0]).total_seconds() >= 0.95  # Retry IntervalSeconds 1

    item = results.get_item(Key={"pk": "workflow", "sk": run}, ConsistentRead=True).get("Item")
    assert item == {"pk": "workflow", "sk": run, "attempts": 3}  # written by the dynamodb:putItem task


def test_catch_routes_an_unretryable_error_to_the_recovery_state(cloud: LocalCloud) -> None:
    execution, history = _run(cloud, {"mode": "fatal"})
    assert execution["status"] == "SUCCEEDED"
    output = json.loads(execution["output"])
    assert output["outcome"] == "recovered"
    assert output["error"]["Error"] == "FatalError"
    assert json.loads(output["error"]["Cause"])["errorMessage"] == "this cannot be retried"
    types = [event["type"] for event in history]
    assert types.index("LambdaFunctionFailed") < types.index("PassStateEntered")
    assert types[-1] == "ExecutionSucceeded"


def test_a_failed_execution_reports_the_error(cloud: LocalCloud) -> None:
    execution, history = _run(cloud, {"run": uuid.uuid4().hex, "pause": "not a number"})
    assert execution["status"] == "FAILED"
    assert history[-1]["type"] == "ExecutionFailed"
    assert history[-1]["executionFailedEventDetails"]["error"] == "States.Runtime"
