"""Nested stacks (AWS::Serverless::Application): the test app's Orders stack (with Audit inside it) and
Archive run as CloudFormation would create them: parameters down, Outputs up, CloudFormation's names,
and their functions reached through the root's one REST API, their queues, the root's bus and their
own state machine."""

from __future__ import annotations

import json
import re
from typing import Any

import boto3
import requests
from localcloud.runtime import LocalCloud

from tests.helpers import wait_for

SUFFIX = "[A-Z0-9]{12}"
ORDERS_STACK = re.compile(rf"^lct-Orders-{SUFFIX}$")


def _orders_table(cloud: LocalCloud) -> Any:
    return boto3.resource("dynamodb", region_name=cloud.region).Table(cloud.physical("Orders/OrdersTable"))


def _item(cloud: LocalCloud, pk: str, sk: str) -> dict[str, Any] | None:
    return _orders_table(cloud).get_item(Key={"pk": pk, "sk": sk}, ConsistentRead=True).get("Item")


def test_a_nested_functions_routes_are_served_by_the_root_api(cloud: LocalCloud) -> None:
    # Given the root's API body points POST /orders and GET /orders/{id} at the Orders stack's Handler
    # When an order is posted and read back
    created = requests.post(f"{cloud.url}/orders", data="two lamps", timeout=10)
    assert created.status_code == 201, created.text
    order_id = created.json()["id"]
    read = requests.get(f"{cloud.url}/orders/{order_id}", timeout=10)
    # Then the nested function served both, with the path parameter and the body it stored
    assert read.status_code == 200
    assert read.json()["order"] == {"pk": order_id, "sk": "order", "body": "two lamps"}
    assert read.json()["function"] == cloud.physical("Orders/Handler")
    # and the root's own routes still share that API (one API, one stage)
    assert requests.get(f"{cloud.url}/items/1", timeout=10).json()["requestContext"]["stage"] == "Prod"
    assert len(cloud.deployed.apis) == 1


def test_nested_stacks_and_their_resources_get_cloudformation_names(cloud: LocalCloud) -> None:
    orders = cloud.deployed.stacks["Orders"].name
    audit = cloud.deployed.stacks["Orders/Audit"].name
    assert ORDERS_STACK.match(orders)
    assert re.match(rf"^{orders}-Audit-{SUFFIX}$", audit)  # depth 2: named after its parent stack
    assert re.match(rf"^lct-Archive-{SUFFIX}$", cloud.deployed.stacks["Archive"].name)
    assert re.match(rf"^{orders}-OrdersTable-{SUFFIX}$", cloud.physical("Orders/OrdersTable"))
    assert re.match(rf"^{orders}-Handler-{SUFFIX}$", cloud.physical("Orders/Handler"))
    # created in the emulated services under those names
    tables = boto3.client("dynamodb", region_name=cloud.region).list_tables()["TableNames"]
    assert cloud.physical("Orders/OrdersTable") in tables
    queues = boto3.client("sqs", region_name=cloud.region).list_queues(QueueNamePrefix=audit)
    assert queues["QueueUrls"] == [cloud.physical("Orders/Audit/AuditQueue")]
    # Ref of a nested stack is its stack id, as on CloudFormation
    assert cloud.physical("Orders").startswith(
        f"arn:aws:cloudformation:us-east-1:123456789012:stack/{orders}/"
    )


def test_parameters_layers_and_conditions_reach_the_nested_functions_environment(cloud: LocalCloud) -> None:
    described = requests.post(f"{cloud.url}/orders", data="", timeout=10).json()
    env = described["env"]
    # the root's layer, passed as a parameter ARN, is importable in the nested function
    assert described["layer"] == "from the root layer"
    assert env["ORDERS_TABLE"] == cloud.physical("Orders/OrdersTable")  # the nested template's Globals
    assert env["ORDERS_QUEUE_URL"] == cloud.physical("Orders/OrdersQueue")
    assert env["GREETING"] == "hello"  # the root's parameter, passed down
    # a nested stack's Output (depth 2) consumed inside its parent
    assert env["AUDIT_QUEUE_URL"] == cloud.physical("Orders/Audit/AuditQueue")
    # conditions evaluated with the nested stack's own parameters: Greets true, Fancy false (default)
    assert env["GREETING_QUEUE_URL"] == cloud.physical("Orders/GreetingQueue")
    assert described["fancy"] is None  # !Ref AWS::NoValue removed the variable
    assert "FancyQueue" not in cloud.deployed.stacks["Orders"].physical


def test_outputs_of_nested_stacks_resolve_in_the_root(cloud: LocalCloud) -> None:
    assert cloud.outputs("Orders")["TableName"] == cloud.physical("Orders/OrdersTable")
    assert "FancyQueueUrl" not in cloud.outputs("Orders")  # its Condition is false
    assert cloud.outputs() == {
        "OrdersTableName": cloud.physical("Orders/OrdersTable"),  # !GetAtt Orders.Outputs.TableName
        "AuditQueueUrl": cloud.physical("Orders/Audit/AuditQueue"),  # Fn::GetAtt [Orders, Outputs.X]
        "ArchivePrefix": "archive",
    }
    assert cloud.attribute("Orders", "Outputs.HandlerArn") == cloud.attribute("Orders/Handler", "Arn")
    # a root function's environment takes a nested stack's output
    env_b = requests.get(f"{cloud.url}/env/b", timeout=10).json()["first"]
    assert env_b["ORDERS_TABLE"] == cloud.physical("Orders/OrdersTable")
    # Audit got "${Owner}-audit" (a deferred parameter: a Sub over the parent's parameter)
    assert cloud.outputs("Orders/Audit")["Prefix"] == "orders-team-audit"


def test_a_nested_sqs_event_source_consumes_the_nested_queue(cloud: LocalCloud) -> None:
    order_id = requests.post(f"{cloud.url}/orders", data="queued", timeout=10).json()["id"]
    consumed = wait_for(lambda: _item(cloud, order_id, "consumed"), what="the Consumer's SQS batch")
    assert consumed["by"] == cloud.physical("Orders/Consumer")
    mapping = next(
        m
        for m in cloud.event_source_mappings()
        if m["EventSourceArn"] == cloud.attribute("Orders/OrdersQueue", "Arn")
    )
    assert mapping["FunctionArn"] == cloud.attribute("Orders/Consumer", "Arn")
    assert mapping["State"] == "Enabled"


def test_a_nested_rule_on_the_roots_bus_reaches_the_nested_function(cloud: LocalCloud) -> None:
    # Given the Orders stack's rule sits on the root's bus, whose name the root passed down
    events = boto3.client("events", region_name=cloud.region)
    # When an order.shipped event is put on it
    events.put_events(
        Entries=[
            {
                "Source": "test.orders",
                "DetailType": "order.shipped",
                "Detail": json.dumps({"id": "order_shipped_1"}),
                "EventBusName": cloud.physical("AppBus"),
            }
        ]
    )
    # Then the nested Consumer got it
    shipped = wait_for(lambda: _item(cloud, "order_shipped_1", "shipped"), what="the rule's delivery")
    assert shipped["by"] == cloud.physical("Orders/Consumer")


def test_a_nested_state_machine_invokes_its_stacks_function(cloud: LocalCloud) -> None:
    sfn = boto3.client("stepfunctions", region_name=cloud.region)
    arn = cloud.physical("Orders/OrderFlow")
    assert re.search(rf":stateMachine:{cloud.deployed.stacks['Orders'].name}-OrderFlow-{SUFFIX}$", arn)
    execution = sfn.start_execution(stateMachineArn=arn, input="{}")["executionArn"]
    done = wait_for(
        lambda: (d := sfn.describe_execution(executionArn=execution))["status"] != "RUNNING" and d,
        timeout=30,
        what="the execution",
    )
    assert done["status"] == "SUCCEEDED"
    output = json.loads(done["output"])
    assert output["layer"] == "from the root layer"
    assert output["function"] == cloud.physical("Orders/Handler")
