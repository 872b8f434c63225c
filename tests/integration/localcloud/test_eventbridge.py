"""EventBridge: a pattern matches one event and not another; SQS, Lambda and Step Functions targets."""

from __future__ import annotations

import json
import uuid

import boto3
from localcloud.runtime import LocalCloud

from tests.helpers import wait_for
from tests.integration.localcloud.conftest import recorded

BUS = "localcloud-test-bus"


def _put(cloud: LocalCloud, detail_type: str, detail: dict) -> str:
    events = boto3.client("events", region_name=cloud.region)
    answer = events.put_events(
        Entries=[
            {
                "Source": "test.app",
                "DetailType": detail_type,
                "Detail": json.dumps(detail),
                "EventBusName": BUS,
            }
        ]
    )
    assert answer["FailedEntryCount"] == 0
    return answer["Entries"][0]["EventId"]


def test_numeric_pattern_delivers_one_event_to_the_queue_and_not_the_other(
    cloud: LocalCloud, results
) -> None:
    run = uuid.uuid4().hex
    _put(cloud, "order.paid", {"run": run, "amount": 99})  # below the rule's numeric >= 100
    matching = _put(cloud, "order.paid", {"run": run, "amount": 150})
    _put(cloud, "order.created", {"run": run, "amount": 500})  # other detail-type

    def delivered() -> list[dict]:
        return [
            json.loads(r["body"]) for r in recorded(results, "sqs:lct-PaidEventsQueue") if run in r["body"]
        ]

    events = wait_for(delivered, what="the matching event on the queue")
    # give the non-matching ones every chance to show up: a later event on the same path proves it drained
    marker = uuid.uuid4().hex
    _put(cloud, "order.paid", {"run": marker, "amount": 100})
    wait_for(
        lambda: any(marker in r["body"] for r in recorded(results, "sqs:lct-PaidEventsQueue")),
        what="the marker",
    )
    events = delivered()
    assert [event["id"] for event in events] == [matching]
    event = events[0]
    assert event["source"] == "test.app" and event["detail-type"] == "order.paid"
    assert event["detail"] == {"run": run, "amount": 150}
    assert event["account"] == "123456789012" and event["region"] == "us-east-1"


def test_lambda_target_receives_the_event(cloud: LocalCloud, results) -> None:
    run = uuid.uuid4().hex
    event_id = _put(cloud, "order.refunded", {"run": run})
    found = wait_for(
        lambda: [e for e in recorded(results, "eventbridge") if e["id"] == event_id], what="the Lambda target"
    )
    assert found[0]["detail"] == {"run": run}
    assert found[0]["detail-type"] == "order.refunded"


def test_state_machine_target_starts_an_execution_with_the_input_path(cloud: LocalCloud) -> None:
    sfn = boto3.client("stepfunctions", region_name=cloud.region)
    run = uuid.uuid4().hex
    _put(cloud, "workflow.start", {"run": run, "pause": 0})

    def execution() -> dict | None:
        for summary in sfn.list_executions(stateMachineArn=cloud.physical("Workflow"))["executions"]:
            described = sfn.describe_execution(executionArn=summary["executionArn"])
            if json.loads(described["input"]).get("run") == run:
                return described
        return None

    started = wait_for(execution, what="an execution started by the rule")
    assert json.loads(started["input"]) == {"run": run, "pause": 0}  # InputPath $.detail
    finished = wait_for(
        lambda: (
            sfn.describe_execution(executionArn=started["executionArn"])["status"] != "RUNNING"
            and execution()
        ),
        timeout=20,
        what="the execution to finish",
    )
    assert finished["status"] == "SUCCEEDED"
