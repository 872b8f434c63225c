"""LocalCloud: one process that runs a SAM template over moto, the way AWS would run it deployed.

    with LocalCloud("template.yaml", port=0) as cloud:
        requests.get(cloud.url + "/api/v1/health")

Start-up reads and checks the whole template first (a TemplateError names the resource), then starts
moto, creates every resource, and starts the HTTP front door, the event-source pollers and the
scheduler. Only one LocalCloud runs in a process at a time (moto's state is process-wide).
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
from moto import mock_aws
from moto.events.models import events_backends

from localcloud import environ, isolation, motopatch, template, timescale
from localcloud import faults as faults_module
from localcloud.apigateway import ApiGateway, build_routes
from localcloud.cloudfront import Distribution
from localcloud.errors import TemplateError
from localcloud.eventsources import Poller, poller_for
from localcloud.lambdas import MOTO_CLIENT_VARIABLES
from localcloud.logs import log
from localcloud.provision import ACCOUNT, Deployed, Provisioner, RuleSpec
from localcloud.schedules import Scheduler
from localcloud.server import Front, HttpServer, RawHandler, Site

_MOTO_CONFIG = {
    "stepfunctions": {"execute_state_machine": True},
    "lambda": {"use_docker": False},
    "core": {"mock_credentials": True, "reset_boto3_session": True},
}
_running_lock = threading.Lock()
_running: list[LocalCloud] = []

logging.getLogger("samtranslator").setLevel(logging.ERROR)


class LocalCloud:
    def __init__(
        self,
        template_path: str | Path,
        *,
        host: str = "127.0.0.1",
        port: int = 3000,
        parameters: dict[str, Any] | None = None,
        stack_name: str = "paygate",
        region: str = "us-east-1",
        time_scale: float | None = None,
        raw_handlers: dict[str, RawHandler] | None = None,
        faults: dict[str, Any] | str | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self.region = region
        # called with what was just done, start_steps times in all during start() (the CLI's bar)
        self.progress = progress
        self.stack_name = stack_name
        self.host = host
        self.port = port
        self.time_scale = (
            time_scale if time_scale is not None else float(os.environ.get("LOCALCLOUD_TIME_SCALE", "1"))
        )
        self.raw_handlers = raw_handlers
        # fault injection (off unless given here or in PAYGATE_FAULTS): see localcloud/faults.py
        self.faults = (
            faults_module.FaultPlan.load(faults)
            if faults is not None
            else faults_module.FaultPlan.from_environment()
        )
        self.template = template.load(Path(template_path), parameters, region)
        self.deployed: Deployed | None = None
        self.api: ApiGateway | None = None
        self._mock: Any = None
        self._server: HttpServer | None = None
        self._pollers: list[Poller] = []
        self._scheduler: Scheduler | None = None
        self._sfn: Any = None

    # --- lifecycle --------------------------------------------------------------------------
    def start(self) -> LocalCloud:
        with _running_lock:
            if _running:
                raise RuntimeError("a LocalCloud is already running in this process")
            _running.append(self)
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        timescale.set_scale(self.time_scale)
        environ.install()
        isolation.install()
        os.environ.setdefault("AWS_DEFAULT_REGION", self.region)
        for name, value in MOTO_CLIENT_VARIABLES.items():
            os.environ.setdefault(name, value)
        self._mock = mock_aws(config=_MOTO_CONFIG)  # type: ignore[arg-type]
        self._mock.start()
        deployed = self.deployed = Provisioner(
            self.template, self.stack_name, self.region, on_resource=self._step
        ).provision()
        for folder in deployed.layer_dirs.values():
            if str(folder) not in sys.path:
                sys.path.append(str(folder))
        motopatch.install(deployed.functions, self.deliver_target, self.event_source_mappings)
        self._sfn = boto3.client("stepfunctions", region_name=self.region)

        routes = build_routes(deployed.apis, deployed.functions)
        self.api = ApiGateway(routes, self.region)
        site, distribution = self._site(deployed)
        # bound now (the port is known and ours), listening only once the start steps ran below
        self._server = HttpServer(
            Front(self.api, site, distribution, self.raw_handlers), self.host, self.port
        )

        for mapping in deployed.mappings:
            if mapping.enabled:
                function = deployed.functions.find(mapping.function)
                if function is None:
                    raise TemplateError(
                        mapping.logical_id, f"FunctionName {mapping.function} is not a template function"
                    )
                self._pollers.append(poller_for(mapping, function, self.region))
        self._scheduler = Scheduler(deployed.rules, self.region, self.fire)

        for poller in self._pollers:
            poller.start()
        self._scheduler.start()
        self._step("pollers and schedules")
        # Ready means ready (DESIGN.md 4.7): the seed and any other start step run before the port
        # answers, so no request ever meets a gateway without its seeded merchant.
        self._run_start_steps(deployed)
        self._server.start()
        if self.faults is not None:
            self.faults.name_functions(
                [(f.spec.name, f.spec.logical_id) for f in deployed.functions.functions]
            )
            faults_module.install(self.faults)
            self.faults.armed = True
            log.warning("fault injection armed", extra={"faults": self.faults.report()})
        log.info(
            "localcloud started", extra={"url": self.url, "functions": len(deployed.functions.functions)}
        )

    def _run_start_steps(self, deployed: Deployed) -> None:
        """Functions marked ``Metadata: {localcloud: {InvokeOnStart: true}}`` run once, in order, now:
        what a deploy script's post-deploy invoke (or a custom resource) does on AWS."""
        for function in deployed.functions.functions:
            if function.spec.invoke_on_start:
                outcome = function.invoke({})
                if outcome.failed:
                    raise TemplateError(function.spec.logical_id, f"InvokeOnStart failed: {outcome.error!r}")
                self._step(f"ran {function.spec.logical_id}")

    @property
    def start_steps(self) -> int:
        """How many times ``progress`` is called by ``start()``: every resource (a resource whose
        Condition is false is skipped, so this is an upper bound), the pollers, each InvokeOnStart."""
        resources = [r for t in self.template.walk() for r in t.resources.values()]
        on_start = sum(1 for r in resources if r.metadata.get("localcloud", {}).get("InvokeOnStart"))
        return len(resources) + 1 + on_start

    def _step(self, done: str) -> None:
        if self.progress is not None:
            self.progress(done)

    def _site(self, deployed: Deployed) -> tuple[Site | None, Distribution | None]:
        """The distribution whose default behaviour reads an S3 origin fronts the static site; its
        other behaviours (custom origins: the API) and response headers policies apply as on AWS."""
        for logical_id, config in deployed.distributions.items():
            distribution = Distribution(logical_id, config, deployed.response_headers_policies)
            if distribution.bucket is None:
                continue
            return Site(boto3.client("s3", region_name=self.region), distribution.bucket), distribution
        return None, None

    def stop(self) -> None:
        if self._scheduler:
            self._scheduler.stop()
        for poller in self._pollers:
            poller.stop()
        if self._server:
            self._server.stop()
        for thread in [*self._pollers, self._scheduler]:
            if thread is not None and thread.is_alive():
                thread.join(timeout=5)
        self._pollers = []
        self._scheduler = self._server = None
        if self.faults is not None:
            self.faults.armed = False
        faults_module.uninstall()
        motopatch.uninstall()
        if self._mock is not None:
            self._mock.stop()
            self._mock = None
        environ.uninstall()
        isolation.uninstall()
        with _running_lock:
            if self in _running:
                _running.remove(self)

    def __enter__(self) -> LocalCloud:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    # --- what the running cloud offers ------------------------------------------------------
    @property
    def bound_port(self) -> int:
        """The port actually listened on (``port=0`` picks a free one)."""
        return self._server.port if self._server else self.port

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.bound_port}"

    def function(self, logical_id: str) -> Any:
        assert self.deployed is not None
        return self.deployed.functions.get(logical_id)

    def physical(self, logical_id: str) -> Any:
        """Physical id of a resource; ``Orders/OrdersTable`` names one inside nested stack Orders."""
        assert self.deployed is not None
        path, _, name = logical_id.rpartition("/")
        return self.deployed.stack(path).physical[name]

    def attribute(self, logical_id: str, name: str) -> Any:
        assert self.deployed is not None
        path, _, resource = logical_id.rpartition("/")
        return self.deployed.stack(path).attributes[resource][name]

    def outputs(self, stack: str = "") -> dict[str, Any]:
        """The evaluated Outputs of the root (``""``) or of the nested stack at ``stack``."""
        assert self.deployed is not None
        return dict(self.deployed.stack(stack).outputs)

    def event_source_mappings(self) -> list[dict[str, Any]]:
        """The mappings as Lambda's ListEventSourceMappings shows them; Enabled while polled."""
        return [
            {
                "UUID": str(uuid.uuid5(uuid.NAMESPACE_URL, poller.mapping.logical_id)),
                "EventSourceArn": poller.mapping.source_arn,
                "FunctionArn": poller.function.spec.arn,
                "BatchSize": poller.mapping.batch_size,
                "State": "Enabled" if poller.is_alive() else "Disabled",
                **poller.mapping.options(),
            }
            for poller in self._pollers
        ]

    # --- delivery the Lambda service / EventBridge would do ---------------------------------
    def deliver_target(self, arn: str, payload: Any) -> None:
        """An EventBridge rule's Lambda (async invoke) or Step Functions (StartExecution) target."""
        assert self.deployed is not None
        service = arn.split(":")[2]
        with faults_module.suspended():
            self._deliver_target(service, arn, payload)

    def _deliver_target(self, service: str, arn: str, payload: Any) -> None:
        assert self.deployed is not None
        if service == "lambda":
            self.deployed.functions.get(arn).invoke_async(payload)
        elif service == "states":
            self._sfn.start_execution(stateMachineArn=arn, name=str(uuid.uuid4()), input=json.dumps(payload))

    def fire(self, rule: RuleSpec, event: dict[str, Any]) -> None:
        moto_rule = events_backends[ACCOUNT][self.region].describe_rule(rule.name, rule.bus)
        moto_rule.send_to_targets(event)
