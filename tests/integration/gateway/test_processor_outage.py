"""The payment workflow's Retry, read from the Step Functions execution history (localcloud only)."""

from __future__ import annotations

import boto3
from localcloud.runtime import LocalCloud

from tests.integration.gateway.client import Api, card


def test_a_processor_outage_is_retried_by_the_workflow(api: Api, gateway: LocalCloud) -> None:
    # Given the test card whose first two processing attempts meet a processor outage
    payment = api.paid(3_000, card("4000000000000119"))
    # Then the payment still succeeds, after the workflow retried the Task twice
    assert payment["status"] == "success"
    sfn = boto3.client("stepfunctions", region_name=gateway.region)
    arn = gateway.physical("PaymentProcessing")
    execution = next(
        e for e in sfn.list_executions(stateMachineArn=arn)["executions"] if e["name"] == payment["id"]
    )
    events = sfn.get_execution_history(executionArn=execution["executionArn"])["events"]
    failures = [e for e in events if e["type"] == "LambdaFunctionFailed" or e["type"] == "TaskFailed"]
    assert [f.get("taskFailedEventDetails", f.get("lambdaFunctionFailedEventDetails", {})).get("error")
            for f in failures] == ["ProcessorUnavailable", "ProcessorUnavailable"]  # fmt: skip
