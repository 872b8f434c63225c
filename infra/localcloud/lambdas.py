"""Lambda functions run in process: execution environments, context object, environment, invokes.

Each execution environment imports the handler module (its cold start) under its own environment
and a module name of its own, so every function may call its module ``app``. Module-level state of
the shared layer lives once per process, so layer code must not cache environment-derived values
process-wide (``paygate.core.settings`` caches per function name for this reason).
"""

from __future__ import annotations

import importlib.util
import sys
import threading
import time
import traceback
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from localcloud import environ, faults, isolation, timescale
from localcloud.logs import log

# What the Lambda service sets in every execution environment (values as on AWS where they matter).
_RUNTIME_VARIABLES = {
    "LANG": "en_US.UTF-8",
    "TZ": ":UTC",
    "AWS_EXECUTION_ENV": "AWS_Lambda_python3.11",
    "LAMBDA_RUNTIME_DIR": "/var/runtime",
    "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
    "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
    # As `sam local` does: Powertools Tracer switches itself off instead of looking for an X-Ray daemon.
    "AWS_SAM_LOCAL": "true",
}
# For every boto3 client in this process, localcloud's own and the functions': newer botocore sends
# calls that carry an ARN (e.g. DynamoDB Streams) to <account>.<service> endpoints moto does not serve.
MOTO_CLIENT_VARIABLES = {"AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled"}
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}


class FunctionTimeout(Exception):
    """The invocation ran past the function's Timeout; its result is discarded, as on AWS."""


@dataclass
class FunctionSpec:
    logical_id: str
    name: str
    arn: str
    code_dir: Path
    handler: str
    runtime: str
    timeout: int
    memory: int
    environment: dict[str, str]
    region: str
    max_async_retries: int = 2
    invoke_on_start: bool = False  # Metadata localcloud.InvokeOnStart: a post-deploy step, run at start


@dataclass
class Invocation:
    request_id: str
    payload: Any = None
    error: BaseException | None = None
    duration_ms: float = 0.0

    @property
    def failed(self) -> bool:
        return self.error is not None

    @property
    def error_type(self) -> str:
        if isinstance(self.error, FunctionTimeout):
            return "Sandbox.Timedout"
        return type(self.error).__name__ if self.error else ""

    def error_payload(self) -> dict[str, Any]:
        """The body AWS returns for a function error (``X-Amz-Function-Error: Unhandled``)."""
        assert self.error is not None
        stack = traceback.format_tb(self.error.__traceback__) if self.error.__traceback__ else []
        return {
            "errorMessage": str(self.error),
            "errorType": self.error_type,
            "requestId": self.request_id,
            "stackTrace": [line.rstrip() for line in stack],
        }


@dataclass
class LambdaContext:
    """The context object of the Python runtime (``awslambdaric``'s LambdaContext)."""

    function_name: str
    invoked_function_arn: str
    memory_limit_in_mb: str  # awslambdaric passes the environment string through
    aws_request_id: str
    log_group_name: str
    log_stream_name: str
    _deadline: float
    function_version: str = "$LATEST"
    identity: Any = None
    client_context: Any = None
    tenant_id: str | None = None

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


@dataclass
class _Environment:
    handler: Any
    log_stream: str


@dataclass
class LambdaFunction:
    """A function and its execution environments.

    Like Lambda, an invocation takes an idle environment or starts a new one (a cold start: the
    handler module imported afresh under its own module name), so concurrent invocations of one
    function never share the handler module's globals (a Powertools resolver keeps the current
    event on its app object). Modules of layers are imported once per process and are shared.
    """

    spec: FunctionSpec
    _idle: list[_Environment] = field(default_factory=list)
    _started: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def environments(self) -> int:
        return self._started

    def _variables(self, request_id: str, log_stream: str) -> dict[str, str]:
        spec = self.spec
        trace = (
            f"Root=1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]};Parent={uuid.uuid4().hex[:16]};Sampled=0"
        )
        return {
            **_RUNTIME_VARIABLES,
            "PATH": environ.process_value("PATH", "/usr/local/bin:/usr/bin:/bin"),
            **CREDENTIALS,
            **MOTO_CLIENT_VARIABLES,
            "AWS_REGION": spec.region,
            "AWS_DEFAULT_REGION": spec.region,
            "AWS_LAMBDA_FUNCTION_NAME": spec.name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory),
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{spec.name}",
            "AWS_LAMBDA_LOG_STREAM_NAME": log_stream,
            "LAMBDA_TASK_ROOT": str(spec.code_dir),
            "_HANDLER": spec.handler,
            "_X_AMZN_TRACE_ID": trace,
            **spec.environment,
        }

    def _take_idle(self) -> _Environment | None:
        with self._lock:
            return self._idle.pop() if self._idle else None

    def _start_environment(self, log_stream: str) -> _Environment:
        """A cold start: import the handler module afresh (an import error fails the invocation)."""
        with self._lock:
            self._started += 1
            number = self._started
        module_path, _, attr = self.spec.handler.rpartition(".")
        file = self.spec.code_dir / (module_path.replace(".", "/") + ".py")
        suffix = "" if number == 1 else f"_env{number}"
        try:
            module = _import_file(f"localcloud_fn_{self.spec.logical_id}_{module_path}{suffix}", file)
            return _Environment(getattr(module, attr), log_stream)
        except BaseException:
            with self._lock:
                self._started -= 1  # the next invocation tries a fresh environment, as Lambda does
            raise

    def _release(self, environment: _Environment) -> None:
        with self._lock:
            self._idle.append(environment)

    def invoke(self, event: Any, request_id: str | None = None) -> Invocation:
        """Run the handler synchronously on this thread with the function's environment."""
        request_id = request_id or str(uuid.uuid4())
        result = Invocation(request_id=request_id)
        started = time.monotonic()
        environment = self._take_idle()
        log_stream = environment.log_stream if environment else f"localcloud/[$LATEST]/{uuid.uuid4().hex}"
        context = LambdaContext(
            function_name=self.spec.name,
            invoked_function_arn=self.spec.arn,
            memory_limit_in_mb=str(self.spec.memory),
            aws_request_id=request_id,
            log_group_name=f"/aws/lambda/{self.spec.name}",
            log_stream_name=log_stream,
            _deadline=started + self.spec.timeout,
        )
        plan = faults.active()
        injected = plan.invoke_fault(self.spec.logical_id, self.spec.name) if plan else None
        with environ.invocation(self._variables(request_id, log_stream)), isolation.invocation():
            try:
                if injected == "raise":
                    raise faults.InjectedFault(f"fault injected into {self.spec.logical_id}")
                environment = environment or self._start_environment(log_stream)
                result.payload = environment.handler(event, context)
            except Exception as exc:
                result.error = exc
            finally:
                if environment is not None:
                    self._release(environment)
        result.duration_ms = (time.monotonic() - started) * 1000
        if result.error is None and (injected == "timeout" or result.duration_ms > self.spec.timeout * 1000):
            result.payload = None
            result.error = FunctionTimeout(f"Task timed out after {self.spec.timeout:.2f} seconds")
        if result.error is not None:
            log.error("function error", extra={"function": self.spec.name, **result.error_payload()})
        return result

    def invoke_async(self, event: Any) -> str:
        """Event invocation: returns at once; on error retries twice (1 and 2 minutes later, time-scaled)."""
        request_id = str(uuid.uuid4())

        def attempt(number: int) -> None:
            outcome = self.invoke(event, request_id)
            if outcome.failed and number < self.spec.max_async_retries:
                delay = timescale.seconds(60 * (number + 1))
                timer = threading.Timer(delay, attempt, args=(number + 1,))
                timer.daemon = True
                timer.start()

        threading.Thread(target=attempt, args=(0,), name=f"async-{self.spec.name}", daemon=True).start()
        return request_id


def _import_file(module_name: str, file: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(module_name, file)
    if spec is None or spec.loader is None:
        raise ImportError(f"Unable to import module '{file.stem}': no file {file}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(module_name, None)
        raise
    return module


class FunctionRegistry:
    """Every function of the template, found by name, ARN (with or without qualifier) or logical id."""

    def __init__(self) -> None:
        self._by_key: dict[str, LambdaFunction] = {}
        self.functions: list[LambdaFunction] = []

    def add(self, spec: FunctionSpec) -> LambdaFunction:
        fn = LambdaFunction(spec)
        self.functions.append(fn)
        for key in (spec.name, spec.arn, spec.logical_id):
            self._by_key[key] = fn
        return fn

    def find(self, name_or_arn: str) -> LambdaFunction | None:
        key = name_or_arn
        if key.startswith("arn:") and key.count(":") > 6:
            key = key.rsplit(":", 1)[0]  # drop a qualifier ($LATEST, alias)
        return self._by_key.get(key)

    def get(self, name_or_arn: str) -> LambdaFunction:
        fn = self.find(name_or_arn)
        if fn is None:
            raise KeyError(f"no function {name_or_arn}")
        return fn
