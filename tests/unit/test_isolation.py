"""Class-level Powertools Metrics state is per invocation under localcloud, as per process on AWS."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import pytest
from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit
from localcloud import isolation


@pytest.fixture
def installed() -> Iterator[None]:
    isolation.install()
    try:
        yield
    finally:
        isolation.uninstall()


def _invocation(
    metrics: Metrics, name: str, added: threading.Barrier, flushed: threading.Event, out: dict
) -> None:
    with isolation.invocation():
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=1)
        added.wait()
        if name == "second":
            out[name] = metrics.serialize_metric_set()
            metrics.clear_metrics()
            flushed.set()
        else:
            flushed.wait()  # the other invocation has flushed and cleared by now
            out[name] = metrics.serialize_metric_set()


def _two_invocations(metrics: Metrics) -> dict[str, dict]:
    """What each of two concurrent invocations emitted: the second flushes while the first waits."""
    added, flushed, out = threading.Barrier(2), threading.Event(), {}
    threads = [
        threading.Thread(target=_invocation, args=(metrics, name, added, flushed, out))
        for name in ("first", "second")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    emitted = {name: json.loads(json.dumps(out[name])) for name in ("first", "second")}
    for name, metric_set in emitted.items():
        assert [m["Name"] for m in metric_set["_aws"]["CloudWatchMetrics"][0]["Metrics"]] == [name]
    return emitted


def test_concurrent_invocations_keep_their_own_metrics(installed: None) -> None:
    metrics = Metrics(namespace="Test", service="isolation")
    metrics.set_default_dimensions(stage="test")
    for metric_set in _two_invocations(metrics).values():
        assert metric_set["stage"] == "test"  # import-time default dimensions reach every invocation


def test_a_metrics_object_made_before_install_is_isolated_too() -> None:
    """Test modules import the layer at collection, before any LocalCloud installs isolation: the
    layer's Metrics object must not keep the shared sets (1 of 200 concurrent health checks was a 502)."""
    early = Metrics(namespace="Test", service="early")
    isolation.install()
    try:
        _two_invocations(early)
    finally:
        isolation.uninstall()
        early.clear_metrics()


def test_without_isolation_the_class_level_set_is_shared() -> None:
    metrics = Metrics(namespace="Test", service="shared")
    metrics.add_metric(name="a", unit=MetricUnit.Count, value=1)
    other = Metrics(namespace="Test", service="shared")
    try:
        assert "a" in other.metric_set  # what localcloud has to undo
    finally:
        metrics.clear_metrics()


def test_concurrent_invocations_keep_their_own_logger_keys(
    installed: None, capsys: pytest.CaptureFixture
) -> None:
    from aws_lambda_powertools import Logger

    logger = Logger(service="isolation-logs")
    appended, logged = threading.Barrier(2), threading.Barrier(2)

    def invocation(name: str) -> None:
        with isolation.invocation():
            logger.append_keys(function_name=name)
            appended.wait()  # both have appended before either logs
            logger.info("hello")
            logged.wait()

    threads = [threading.Thread(target=invocation, args=(name,)) for name in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    assert sorted(line["function_name"] for line in lines) == ["first", "second"]
    logger.info("outside")  # the process-level keys are untouched
    assert "function_name" not in json.loads(capsys.readouterr().out.splitlines()[-1])


def test_concurrent_api_invocations_each_see_their_own_event(installed: None) -> None:
    """Powertools' resolve() stores the event on BaseRouter (the class): per invocation here."""
    from aws_lambda_powertools.event_handler import APIGatewayRestResolver
    from aws_lambda_powertools.event_handler.api_gateway import BaseRouter

    app = APIGatewayRestResolver()
    resolved, out = threading.Barrier(2), {}

    @app.get("/who")
    def who() -> dict:
        resolved.wait()  # both requests are inside their route before either reads its event
        return {"me": app.current_event.headers["x-me"]}

    def invocation(name: str) -> None:
        event = {
            "httpMethod": "GET",
            "path": "/who",
            "resource": "/who",
            "headers": {"x-me": name},
            "requestContext": {"stage": "test"},
        }
        with isolation.invocation():
            out[name] = json.loads(app.resolve(event, None)["body"])["me"]

    threads = [threading.Thread(target=invocation, args=(name,)) for name in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert out == {"first": "first", "second": "second"}
    BaseRouter.current_event = "outside"  # type: ignore[assignment]  # outside an invocation: the class's own value
    assert app.current_event == "outside"
