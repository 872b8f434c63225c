"""``paygate deploy-watch``: run a deploy command (``samlocal deploy``, ``sam deploy``) behind a rich
progress bar fed by the stack's CloudFormation events.

The command's own output (change set table, event stream) goes to a log file, printed only when the
command fails. The bar counts the stack's resources that reached ``*_COMPLETE`` since the command
started, out of the resources of the processed (post-SAM-transform) template. On an update only the
changed resources move, so the bar jumps to its end when the stack completes. The command's exit
code is the verdict: the events only feed the display and the failure reasons.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from botocore.exceptions import BotoCoreError, ClientError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from paygate_cli.options import PROJECT_ROOT, Commands, add_endpoint_arguments

DONE_STATUSES = ("CREATE_COMPLETE", "UPDATE_COMPLETE", "IMPORT_COMPLETE")
CLOCK_SKEW = timedelta(seconds=5)  # the CloudFormation endpoint's clock against ours


def _resource_count(body: Any) -> int | None:
    """Resources of a template body (boto3 hands JSON bodies back parsed, YAML ones as text)."""
    if isinstance(body, str):
        try:
            body = json.loads(body)
        except ValueError:
            try:
                body = yaml.safe_load(body)
            except yaml.YAMLError:  # short-form tags (!Ref): not counted, the bar has no total
                return None
    resources = body.get("Resources") if isinstance(body, dict) else None
    return len(resources) if isinstance(resources, dict) else None


@dataclass
class StackProgress:
    """What the stack's events since ``since`` say about one deploy."""

    stack: str
    since: datetime
    total: int | None = None
    status: str = "creating change set"
    completed: set[str] = field(default_factory=set)
    failures: list[str] = field(default_factory=list)
    _seen: set[str] = field(default_factory=set)
    _template_read: bool = False  # the processed template is read once (its count may stay None)

    def poll(self, cfn: Any) -> None:
        """Read the events not seen yet. A stack that does not exist yet (the change set is being
        made) or an endpoint that does not answer leaves the state as it is."""
        try:
            if not self._template_read:
                body = cfn.get_template(StackName=self.stack, TemplateStage="Processed")["TemplateBody"]
                self.total = _resource_count(body)
                self._template_read = True
            fresh = self._fresh_events(cfn)
        except (BotoCoreError, ClientError):
            return
        for event in reversed(fresh):  # oldest first, so the last status wins
            self.apply(event)

    def _fresh_events(self, cfn: Any) -> list[dict[str, Any]]:
        fresh: list[dict[str, Any]] = []
        for page in cfn.get_paginator("describe_stack_events").paginate(StackName=self.stack):
            for event in page["StackEvents"]:  # newest first
                if event["EventId"] in self._seen or event["Timestamp"] < self.since - CLOCK_SKEW:
                    return fresh
                self._seen.add(event["EventId"])
                fresh.append(event)
        return fresh

    def apply(self, event: dict[str, Any]) -> None:
        """One stack event, oldest first."""
        status = event.get("ResourceStatus", "")
        logical = event["LogicalResourceId"]
        if event.get("ResourceType") == "AWS::CloudFormation::Stack" and logical == self.stack:
            self.status = status
            return
        if status.endswith("_COMPLETE") and "ROLLBACK" not in status and "DELETE" not in status:
            self.completed.add(logical)
        if status.endswith("_FAILED"):
            self.failures.append(f"{logical}: {status} {event.get('ResourceStatusReason', '')}".rstrip())

    @property
    def finished(self) -> bool:
        return self.status in DONE_STATUSES


def watch(
    cfn: Any,
    progress: StackProgress,
    running: Callable[[], bool],
    console: Console,
    interval: float = 2.0,
) -> None:
    """Show the bar until ``running()`` turns false, polling the stack every ``interval`` seconds."""
    with Progress(
        TextColumn("deploy {task.fields[stack]}: {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as bar:
        task = bar.add_task(progress.status, total=None, stack=progress.stack)
        while True:
            alive = running()
            progress.poll(cfn)
            done = len(progress.completed)
            total = progress.total
            if progress.finished and total is not None:
                done = total
            bar.update(task, completed=done, total=total, description=progress.status)
            if not alive:
                return
            time.sleep(interval)


def deploy_watch(
    command: Sequence[str],
    stack: str,
    log: Path,
    cfn: Any,
    console: Console | None = None,
    interval: float = 2.0,
) -> int:
    """Run ``command`` with its output in ``log`` and the progress bar on ``console`` (stderr);
    return its exit code. On failure, print the failed resources and the log's last lines."""
    console = console or Console(stderr=True)
    log.parent.mkdir(parents=True, exist_ok=True)
    progress = StackProgress(stack=stack, since=datetime.now(UTC))
    with log.open("w") as out:
        try:
            # the command is the developer's own, from their shell
            process = subprocess.Popen(list(command), stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
        except OSError as exc:
            console.print(f"deploy-watch: cannot run {command[0]}: {exc}")
            return 127
        watch(cfn, progress, lambda: process.poll() is None, console, interval)
    code = process.returncode
    if code != 0:
        for failure in progress.failures:
            console.print(f"  failed: {failure}", markup=False, highlight=False)
        tail = log.read_text(errors="replace").splitlines()[-40:]
        console.print(
            f"deploy-watch: {command[0]} exited {code}; last lines of {log}:", markup=False, highlight=False
        )
        for line in tail:
            console.print(f"  {line}", markup=False, highlight=False)
    return code


def run(args: argparse.Namespace) -> int:
    """The ``paygate deploy-watch`` sub-command."""
    import boto3

    command = list(args.deploy_command)
    if command[:1] == ["--"]:
        command = command[1:]
    if not command:
        print("paygate deploy-watch: give the deploy command after --", file=sys.stderr)
        return 2
    cfn = boto3.client("cloudformation", endpoint_url=args.endpoint_url, region_name=args.region)
    return deploy_watch(command, args.stack_name, args.log, cfn, interval=args.interval)


def register(commands: Commands) -> None:
    deploy = commands.add_parser(
        "deploy-watch",
        help="run a deploy command (samlocal/sam deploy) behind a progress bar of the stack's events",
    )
    deploy.add_argument("--stack-name", default="paygate")
    deploy.add_argument("--log", type=Path, default=PROJECT_ROOT / "build" / "deploy.log")
    add_endpoint_arguments(deploy)
    deploy.add_argument("--interval", type=float, default=2.0, help="seconds between event polls")
    deploy.add_argument("deploy_command", nargs=argparse.REMAINDER, help="-- the deploy command")
    deploy.set_defaults(run=run)
