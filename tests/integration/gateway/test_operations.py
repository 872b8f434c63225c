"""Operations you can watch: every function, state machine, stream mapping and the API has its alarm to
the alert topic, each stack (the root and each context's) has its dashboard naming its own, and
DeliverWebhook counts the attempts it sends. What must be covered is read from what localcloud
created, never from a list kept here."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from localcloud.runtime import LocalCloud

from tests.helpers import wait_for
from tests.integration.gateway.client import Api
from tests.integration.gateway.receiver import Receiver, start_receiver


@pytest.fixture(scope="module")
def alarms(gateway: LocalCloud) -> list[dict[str, Any]]:
    cloudwatch = boto3.client("cloudwatch", region_name=gateway.region)
    return [
        alarm
        for page in cloudwatch.get_paginator("describe_alarms").paginate()
        for alarm in page["MetricAlarms"]
    ]


def _watched(alarm: dict[str, Any]) -> list[tuple[str, str, dict[str, str], str]]:
    """(namespace, metric, dimensions, statistic) of each metric the alarm reads, math alarms included."""
    if alarm.get("Metrics"):
        return [
            (
                query["MetricStat"]["Metric"]["Namespace"],
                query["MetricStat"]["Metric"]["MetricName"],
                {d["Name"]: d["Value"] for d in query["MetricStat"]["Metric"]["Dimensions"]},
                query["MetricStat"]["Stat"],
            )
            for query in alarm["Metrics"]
            if "MetricStat" in query
        ]
    statistic = alarm.get("ExtendedStatistic") or alarm["Statistic"]
    dimensions = {d["Name"]: d["Value"] for d in alarm["Dimensions"]}
    return [(alarm["Namespace"], alarm["MetricName"], dimensions, statistic)]


def _alarming_on(
    alarms: list[dict[str, Any]], namespace: str, metric: str, **dims: str
) -> list[dict[str, Any]]:
    return [
        alarm
        for alarm in alarms
        if any(
            (ns, name) == (namespace, metric) and dimensions == dims
            for ns, name, dimensions, _ in _watched(alarm)
        )
    ]


def _notifies_alert_topic(gateway: LocalCloud, found: list[dict[str, Any]]) -> bool:
    return bool(found) and all(alarm["AlarmActions"] == [gateway.physical("AlertTopic")] for alarm in found)


def test_every_function_alarms_on_its_errors_and_throttles(
    gateway: LocalCloud, alarms: list[dict[str, Any]]
) -> None:
    assert gateway.deployed is not None
    names = [fn.spec.name for fn in gateway.deployed.functions.functions]
    assert len(names) > 50
    for name in names:
        for metric in ("Errors", "Throttles"):
            found = _alarming_on(alarms, "AWS/Lambda", metric, FunctionName=name)
            assert _notifies_alert_topic(gateway, found), (name, metric)
            # at the first one in a minute: a raised exception is a bug (domain errors are 4xx answers)
            assert all(
                (a["Threshold"], a["ComparisonOperator"]) == (0.0, "GreaterThanThreshold") for a in found
            )


def test_every_state_machine_alarms_on_failed_and_timed_out_executions(
    gateway: LocalCloud, alarms: list[dict[str, Any]]
) -> None:
    machines = boto3.client("stepfunctions", region_name=gateway.region).list_state_machines()[
        "stateMachines"
    ]
    assert len(machines) == 2
    for machine in machines:
        for metric in ("ExecutionsFailed", "ExecutionsTimedOut"):
            found = _alarming_on(alarms, "AWS/States", metric, StateMachineArn=machine["stateMachineArn"])
            assert _notifies_alert_topic(gateway, found), (machine["name"], metric)


def test_the_api_alarms_on_its_5xx_rate_and_p99_latency(
    gateway: LocalCloud, alarms: list[dict[str, Any]]
) -> None:
    assert gateway.deployed is not None
    (api,) = gateway.deployed.apis.values()
    dims = {"ApiName": api.name, "Stage": api.stage}
    errors = _alarming_on(alarms, "AWS/ApiGateway", "5XXError", **dims)
    latency = _alarming_on(alarms, "AWS/ApiGateway", "Latency", **dims)
    assert _notifies_alert_topic(gateway, errors) and _notifies_alert_topic(gateway, latency)
    # a rate (the Average of 5XXError is the share of requests) and a percentile
    assert [(a["Statistic"], a["Threshold"]) for a in errors] == [("Average", 0.01)]
    assert [a["ExtendedStatistic"] for a in latency] == ["p99"]


def test_every_stream_mapping_alarms_on_its_iterator_age(
    gateway: LocalCloud, alarms: list[dict[str, Any]]
) -> None:
    assert gateway.deployed is not None
    streams = [m for m in gateway.event_source_mappings() if ":dynamodb:" in m["EventSourceArn"]]
    assert len(streams) == 3  # the payments and customers outboxes, the payments jobs
    for mapping in streams:
        name = gateway.deployed.functions.get(mapping["FunctionArn"]).spec.name
        found = _alarming_on(alarms, "AWS/Lambda", "IteratorAge", FunctionName=name)
        assert _notifies_alert_topic(gateway, found), name
        assert all(a["Statistic"] == "Maximum" for a in found)


DASHBOARDS = {  # stack path -> its dashboard
    "": "paygate-operations",
    "Merchants": "paygate-merchants",
    "Payments": "paygate-payments",
    "Webhooks": "paygate-webhooks",
    "Connectors": "paygate-connectors",
    "Customers": "paygate-customers",
    "Vault": "paygate-vault",
    "Risk": "paygate-risk",
}
NO_FUNCTIONS: set[str] = set()  # stacks with data only, hence no dashboard (none since the vault's functions)


def test_each_stack_has_a_dashboard_naming_its_functions_and_state_machines(gateway: LocalCloud) -> None:
    assert gateway.deployed is not None
    cloudwatch = boto3.client("cloudwatch", region_name=gateway.region)
    entries = cloudwatch.list_dashboards()["DashboardEntries"]
    assert sorted(e["DashboardName"] for e in entries) == sorted(DASHBOARDS.values())
    graphed: dict[str, set[str]] = {}
    for stack, name in DASHBOARDS.items():
        body = json.loads(cloudwatch.get_dashboard(DashboardName=name)["DashboardBody"])
        graphed[stack] = {
            str(value)
            for widget in body["widgets"]
            if widget["type"] == "metric"
            for line in widget["properties"]["metrics"]
            for value in line
        }
    assert set(gateway.deployed.stacks) == set(DASHBOARDS) - {""} | NO_FUNCTIONS
    for fn in gateway.deployed.functions.functions:
        stack = fn.spec.logical_id.rpartition("/")[0]
        assert fn.spec.name in graphed[stack], fn.spec.logical_id
    machines = boto3.client("stepfunctions", region_name=gateway.region).list_state_machines()
    for machine in machines["stateMachines"]:
        (stack,) = [
            path
            for path in DASHBOARDS
            if machine["stateMachineArn"] in gateway.deployed.stack(path).physical.values()
        ]
        assert machine["stateMachineArn"] in graphed[stack], machine["name"]


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    yield from start_receiver()


def test_webhook_attempts_sent_are_counted_and_their_failing_share_alarms(
    api: Api,
    receiver: Receiver,
    gateway: LocalCloud,
    alarms: list[dict[str, Any]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Given an endpoint that answers 500 once, then 200
    receiver.scripts["/counted"] = [500]
    api.created(
        "/api/v1/webhook_endpoints", {"url": receiver.url + "/counted", "enabled_events": ["order.created"]}
    )
    order = api.order(1_300)
    wait_for(
        lambda: len([r for r in receiver.at("/counted") if order["id"] in r.body]) >= 2, what="2 attempts"
    )
    # Then DeliverWebhook's EMF lines (Powertools Metrics on stdout) counted a failed and a succeeded attempt
    printed: list[str] = []

    def counted() -> bool:
        printed.extend(capsys.readouterr().out.splitlines())
        failed = [_emf_values(line, "WebhookAttemptsFailed") for line in printed]
        values = [value for found in failed for value in found]
        return 1 in values and 0 in values

    wait_for(counted, what="the attempts' EMF metrics")
    # and the alarm reads them: the failed share of attempts sent
    found = _alarming_on(alarms, "Paygate", "WebhookAttemptsFailed", service="paygate")
    assert _notifies_alert_topic(gateway, found)
    assert _alarming_on(alarms, "Paygate", "WebhookAttempts", service="paygate") == found


def _emf_values(line: str, metric: str) -> list[float]:
    try:
        blob = json.loads(line)
    except ValueError:
        return []
    if not isinstance(blob, dict) or "_aws" not in blob or metric not in blob:
        return []
    value = blob[metric]
    return value if isinstance(value, list) else [value]
