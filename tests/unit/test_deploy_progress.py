"""``paygate deploy-watch``: the progress read from CloudFormation's events (moto's CloudFormation
creates and updates real stacks from a plain template) and the deploy command's exit code and log."""

from __future__ import annotations

import io
import json
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import boto3
from moto import mock_aws
from paygate_cli.deploy_watch import StackProgress, deploy_watch, watch
from rich.console import Console


def _template(*queues: str, retention: int = 345600) -> str:
    resources = {
        name: {"Type": "AWS::SQS::Queue", "Properties": {"MessageRetentionPeriod": retention}}
        for name in queues
    }
    return json.dumps({"Resources": resources})


def _console() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, force_terminal=True, width=100), out


@mock_aws
def test_a_create_counts_every_resource_of_the_processed_template() -> None:
    cfn = boto3.client("cloudformation", region_name="us-east-1")
    progress = StackProgress(stack="shop", since=datetime.now(UTC))
    console, out = _console()
    # the "deploy": a thread creating the stack while the bar polls
    deploy = threading.Thread(
        target=lambda: cfn.create_stack(StackName="shop", TemplateBody=_template("Orders", "Refunds", "Dlq"))
    )
    deploy.start()
    watch(cfn, progress, deploy.is_alive, console, interval=0.05)
    assert progress.total == 3
    assert progress.status == "CREATE_COMPLETE" and progress.finished
    # moto writes only the stack's own events: the bar ends at the total when the stack completes
    assert "deploy shop: CREATE_COMPLETE" in out.getvalue() and "3/3" in out.getvalue()


def test_resource_events_move_the_bar_and_failures_keep_their_reason() -> None:
    """CloudFormation's per-resource events (which moto does not write), oldest first."""
    progress = StackProgress(stack="shop", since=datetime.now(UTC))

    def event(logical: str, status: str, kind: str = "AWS::SQS::Queue", reason: str = "") -> dict[str, str]:
        return {
            "LogicalResourceId": logical,
            "ResourceType": kind,
            "ResourceStatus": status,
            "ResourceStatusReason": reason,
        }

    progress.apply(event("shop", "CREATE_IN_PROGRESS", "AWS::CloudFormation::Stack"))
    progress.apply(event("Orders", "CREATE_IN_PROGRESS"))
    progress.apply(event("Orders", "CREATE_COMPLETE"))
    progress.apply(event("Refunds", "CREATE_FAILED", reason="Resource limit exceeded"))
    progress.apply(event("Orders", "DELETE_COMPLETE"))  # the rollback does not count as progress
    progress.apply(event("shop", "ROLLBACK_COMPLETE", "AWS::CloudFormation::Stack"))
    assert progress.completed == {"Orders"}
    assert progress.failures == ["Refunds: CREATE_FAILED Resource limit exceeded"]
    assert progress.status == "ROLLBACK_COMPLETE" and not progress.finished


@mock_aws
def test_an_update_counts_only_its_own_events_and_ends_at_the_total() -> None:
    cfn = boto3.client("cloudformation", region_name="us-east-1")
    cfn.create_stack(StackName="shop", TemplateBody=_template("Orders", "Refunds"))
    progress = StackProgress(stack="shop", since=datetime.now(UTC))
    progress.poll(cfn)
    assert progress.total == 2
    # the create's events are older than this deploy's start, bar a few seconds of clock skew
    cfn.update_stack(StackName="shop", TemplateBody=_template("Orders", "Refunds", retention=600))
    progress.since = datetime.now(UTC).replace(year=2100)  # nothing before "now" counts any more
    fresh = StackProgress(stack="shop", since=datetime.now(UTC).replace(year=2000))
    fresh.poll(cfn)
    assert fresh.status == "UPDATE_COMPLETE" and fresh.finished
    late = StackProgress(stack="shop", since=datetime.now(UTC).replace(year=2100))
    late.poll(cfn)
    assert late.completed == set() and not late.finished


@mock_aws
def test_a_stack_that_does_not_exist_yet_leaves_the_bar_waiting() -> None:
    cfn = boto3.client("cloudformation", region_name="us-east-1")
    progress = StackProgress(stack="absent", since=datetime.now(UTC))
    progress.poll(cfn)
    assert progress.total is None and progress.status == "creating change set"


@mock_aws
def test_the_command_exit_code_is_the_verdict_and_its_log_is_shown_on_failure(tmp_path: Path) -> None:
    cfn = boto3.client("cloudformation", region_name="us-east-1")
    console, out = _console()
    log = tmp_path / "deploy.log"
    failing = [sys.executable, "-c", "print('Error: Failed to create changeset'); raise SystemExit(3)"]
    assert deploy_watch(failing, "shop", log, cfn, console=console, interval=0.05) == 3
    assert "Failed to create changeset" in log.read_text()
    assert "exited 3" in out.getvalue() and "Failed to create changeset" in out.getvalue()

    console, out = _console()
    quiet = [sys.executable, "-c", "print('Successfully created/updated stack')"]
    assert deploy_watch(quiet, "shop", log, cfn, console=console, interval=0.05) == 0
    assert "Successfully" not in out.getvalue()  # the log stays in the file when all went well
    assert deploy_watch(["/no/such/sam"], "shop", log, cfn, console=console) == 127
