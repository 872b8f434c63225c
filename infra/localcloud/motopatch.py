"""The eight places where localcloud hooks into moto; everything else is moto as it ships.

1. Lambda Invoke (the API, Step Functions ``lambda:invoke`` tasks and plain Lambda ARN tasks all end in
   ``LambdaSimpleBackend.invoke``): dispatched to the in-process handler. A handler error comes back as
   AWS returns it (``X-Amz-Function-Error: Unhandled`` + ``errorType``), so Step Functions sees the
   exception's class name as the error name its Retry/Catch match.
2. EventBridge targets: moto raises NotImplementedError for Lambda and Step Functions targets; those go
   to the runtime (async invoke / StartExecution). SQS targets are delivered here too, because moto's
   copy drops ``account`` and ignores Input/InputPath; logs and bus targets stay with moto. Disabled
   rules are skipped, and a schedule-only rule only receives its own scheduled events.
3. Step Functions waits (Wait states and Retry intervals) follow ``localcloud.timescale``.
4. StartExecution without a name gets a UUID name, as on AWS.
5. DynamoDB item operations run one at a time. DynamoDB makes every conditional write and every
   transaction atomic; moto's backend is not thread-safe (a condition can pass in two threads before
   either writes, and TransactWriteItems' snapshot copy can race a concurrent write), and localcloud
   serves many functions on threads at once. The lock covers each whole request, answer included:
   moto builds a GetItem or Query answer from the live item after the backend call returns. Stream
   reads (GetRecords) take it too: moto appends a transaction's stream records one write at a time,
   and a reader between two of them would see half a transaction.
   TransactWriteItems checks every condition before it writes anything: moto deep-copied each table
   per transaction (slow, and its rollback swapped in the copy, which left stream readers on a dead
   shard so no later record reached them).
6. Lambda ListEventSourceMappings answers with localcloud's own mappings (its pollers), ``State``
   ``Enabled`` while the poller runs. They cannot live in moto's Lambda backend: moto would then
   deliver SQS messages and stream records itself, beside the pollers.
7. Step Functions parses a definition once: moto ran its ANTLR parser (pure Python, ~30 ms) for
   every execution. The parse tree is kept per definition text; each execution still gets freshly
   built evaluation components from it (moto's Preprocessor), so no run state is shared.
8. SQS fair queues: a standard queue hands out messages fairly between MessageGroupIds, as AWS's fair
   queues do (``localcloud.fairqueues``).
"""

from __future__ import annotations

import copy
import functools
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

import moto.dynamodb.models as moto_dynamodb_models
from moto.awslambda.exceptions import UnknownFunctionException
from moto.awslambda.models import LambdaBackend
from moto.awslambda_simple.models import LambdaSimpleBackend
from moto.core.utils import unix_time, unix_time_millis
from moto.dynamodb.comparisons import get_filter_expression
from moto.dynamodb.exceptions import TransactionCanceledException
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.table import Table
from moto.dynamodb.responses import DynamoHandler
from moto.dynamodbstreams.responses import DynamoDBStreamsHandler
from moto.events.models import EventTemplateParser, Rule
from moto.sqs.models import Queue, SQSBackend, sqs_backends
from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl
from moto.stepfunctions.parser.asl.component.state.wait.wait_function.wait_function import WaitFunction
from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
from moto.stepfunctions.parser.asl.parse.preprocessor import Preprocessor
from moto.stepfunctions.parser.models import StepFunctionsParserBackend
from moto.utilities.arns import parse_arn

from localcloud import fairqueues, timescale
from localcloud.lambdas import FunctionRegistry

_state: dict[str, Any] = {}
_originals: dict[str, Any] = {}
_dynamodb_lock = threading.RLock()
# every DynamoDB and DynamoDB Streams request runs under the lock, answer included (patch 5)
_LOCKED_HANDLERS = (DynamoHandler, DynamoDBStreamsHandler)


class _NoTableCopy:
    """moto's ``copy`` module, except that a whole Table is not deep-copied (see _transact_write_items)."""

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)

    @staticmethod
    def deepcopy(value: Any, memo: Any = None) -> Any:
        return value if isinstance(value, Table) else copy.deepcopy(value, memo)


def _transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
    """TransactWriteItems in two phases under the DynamoDB lock: every condition first, then the writes.

    moto snapshots each table with a deep copy on every transaction (50 ms at 1 000 items, growing
    with the table and its stream) and rolls back by swapping the copy in, which detached stream
    readers. Checking every condition before writing anything makes the rollback unnecessary, so
    moto's own transaction runs without the copy.
    """
    errors: list[tuple[str | None, str | None, Any]] = []
    for item in transact_items:
        (op_type, op), *_ = item.items()
        condition = op.get("ConditionExpression")
        if condition is None:
            errors.append((None, None, None))
            continue
        table = self.get_table(op["TableName"])
        if op_type == "Put":
            names = [table.hash_key_attr, *([table.range_key_attr] if table.range_key_attr else [])]
            key = {name: op["Item"][name] for name in names}
        else:
            key = op["Key"]
        current = self.get_item(op["TableName"], key)
        check = get_filter_expression(
            condition, op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
        )
        passed = check.expr(current)
        errors.append(
            (None, None, None)
            if passed
            else ("ConditionalCheckFailed", "The conditional request failed", None)
        )
    if any(code for code, _, _ in errors):
        raise TransactionCanceledException(errors)
    real_copy, moto_dynamodb_models.copy = moto_dynamodb_models.copy, _NoTableCopy()  # type: ignore[assignment]
    try:
        return _originals["dynamodb.transact_write_items"](self, transact_items)
    finally:
        moto_dynamodb_models.copy = real_copy


_parse_trees: dict[str, Any] = {}


def _parse_definition(definition: str) -> tuple[Any, Any]:
    tree = _parse_trees.get(definition)
    if tree is None:
        program, tree = _originals["asl_parse"](definition)
        _parse_trees[definition] = tree
        return program, tree
    return Preprocessor().visit(tree), tree


def _list_event_source_mappings(
    self: LambdaBackend, event_source_arn: str | None, function_name: str | None
) -> list[Any]:
    found = []
    for config in _state["mappings"]():
        if event_source_arn and config["EventSourceArn"] != event_source_arn:
            continue
        if function_name and function_name not in (
            config["FunctionArn"],
            config["FunctionArn"].split(":")[-1],
        ):
            continue
        found.append(SimpleNamespace(get_configuration=lambda c=config: c))
    return found


def _serialised(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def run(*args: Any, **kwargs: Any) -> Any:
        with _dynamodb_lock:
            return method(*args, **kwargs)

    return run


def _lambda_invoke(
    self: LambdaSimpleBackend,
    function_name: str,
    qualifier: str | None,
    body: Any,
    headers: Any,
    response_headers: Any,
) -> bytes:
    functions: FunctionRegistry = _state["functions"]
    fn = functions.find(function_name)
    if fn is None:
        raise UnknownFunctionException(function_name)
    raw = body.decode() if isinstance(body, bytes) else body
    event = json.loads(raw) if raw else {}
    if (headers or {}).get("X-Amz-Invocation-Type") == "Event":
        fn.invoke_async(event)
        return b""
    outcome = fn.invoke(event)
    if outcome.failed:
        response_headers["x-amz-function-error"] = "Unhandled"
        return json.dumps(outcome.error_payload()).encode()
    return json.dumps(outcome.payload).encode()


def _target_input(target: dict[str, Any], event: dict[str, Any]) -> Any:
    """Input, InputPath or InputTransformer of a target, as EventBridge applies them."""
    if "Input" in target:
        return json.loads(target["Input"])
    if "InputPath" in target:
        value: Any = event
        for part in target["InputPath"].removeprefix("$").strip(".").split("."):
            value = value.get(part) if part and isinstance(value, dict) else value
        return value
    transformer = target.get("InputTransformer")
    if transformer:
        text = EventTemplateParser.parse(
            input_template=transformer.get("InputTemplate"),
            input_paths_map=transformer.get("InputPathsMap", {}),
            event=event,
        )
        return json.loads(text) if isinstance(text, str) else text
    return event


def _send_to_targets(self: Rule, original_event: dict[str, Any], transform_input: bool = True) -> None:
    if self.state != "ENABLED":
        return
    scheduled = original_event.get("detail-type") == "Scheduled Event" and self.arn in original_event.get(
        "resources", []
    )
    if self.scheduled_expression and not self.event_pattern._pattern and not scheduled:
        return
    if not self.event_pattern.matches_event(original_event):
        return
    local, native = [], []
    for target in self.targets:
        (local if parse_arn(target["Arn"]).service in ("lambda", "states", "sqs") else native).append(target)
    if native:
        view = copy.copy(self)
        view.targets = native
        _originals["send_to_targets"](view, original_event, transform_input)
    event = json.loads(json.dumps(original_event, default=str))
    if isinstance(event.get("time"), int | float):
        event["time"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(event["time"]))
    deliver: Callable[[str, Any], None] = _state["deliver_target"]
    for target in local:
        payload = _target_input(target, event)
        arn = parse_arn(target["Arn"])
        if arn.service == "sqs":  # moto's own SQS delivery drops "account" and ignores Input/InputPath
            sqs_backends[arn.account][arn.region].send_message(
                queue_name=arn.resource_id,
                message_body=payload if isinstance(payload, str) else json.dumps(payload),
                group_id=target.get("SqsParameters", {}).get("MessageGroupId"),
            )
        else:
            deliver(target["Arn"], payload)


def _wait_interval(self: WaitFunction, env: Any, wait_seconds: int) -> None:
    if wait_seconds > 0:
        env.program_state_event.wait(timescale.seconds(wait_seconds))


def _start_execution(
    self: Any, state_machine_arn: str, name: str | None = None, *args: Any, **kwargs: Any
) -> Any:
    """AWS names an unnamed execution with a UUID; moto's parser backend would name it "None"."""
    return _originals["start_execution"](self, state_machine_arn, name or str(uuid.uuid4()), *args, **kwargs)


def _retained(self: SQSBackend, queue_name: str, message: Any) -> bool:
    """moto reads the retention period of each message it receives through get_queue_attributes,
    which computes every attribute (counts over all messages, three times): quadratic in a queue's
    backlog, minutes per receive at a few thousand messages. The period is a plain queue field."""
    period = int(self.get_queue(queue_name).message_retention_period)
    return period + message.sent_timestamp / 1000 > unix_time()


# moto counts a queue's messages (for every send_message, through Queue.attributes) by asking each
# message for the time twice: with a backlog of thousands that loop held the GIL for most of a run.
# Same counts, one clock reading per count.
_QUEUE_COUNTS: dict[str, Callable[[Any, float], bool]] = {
    "approximate_number_of_messages": lambda m, now: now > m.visible_at and not now < m.delayed_until,
    "approximate_number_of_messages_delayed": lambda m, now: now < m.delayed_until,
    "approximate_number_of_messages_not_visible": lambda m, now: not now > m.visible_at,
}


def _queue_count(test: Callable[[Any, float], bool]) -> property:
    def count(queue: Any) -> int:
        now = unix_time_millis()
        return sum(1 for message in queue._messages if test(message, now))

    return property(count)


def install(
    functions: FunctionRegistry,
    deliver_target: Callable[[str, Any], None],
    mappings: Callable[[], list[dict[str, Any]]] = list,
) -> None:
    _state["functions"] = functions
    _state["deliver_target"] = deliver_target
    _state["mappings"] = mappings
    if _originals:
        return
    _originals["invoke"] = LambdaSimpleBackend.invoke
    _originals["send_to_targets"] = Rule.send_to_targets
    _originals["wait_interval"] = WaitFunction._wait_interval
    _originals["retrier_time"] = retrier_decl.time
    _originals["start_execution"] = StepFunctionsParserBackend.start_execution
    _originals["sqs_retained"] = SQSBackend.is_message_valid_based_on_retention_period
    SQSBackend.is_message_valid_based_on_retention_period = _retained  # type: ignore[method-assign]
    for name, test in _QUEUE_COUNTS.items():
        _originals[f"sqs.{name}"] = getattr(Queue, name)
        setattr(Queue, name, _queue_count(test))
    StepFunctionsParserBackend.start_execution = _start_execution  # type: ignore[method-assign]
    fairqueues.install()
    _install_dynamodb()
    _originals["asl_parse"] = AmazonStateLanguageParser.parse
    AmazonStateLanguageParser.parse = staticmethod(_parse_definition)  # type: ignore[method-assign,assignment]
    _originals["list_event_source_mappings"] = LambdaBackend.list_event_source_mappings
    LambdaBackend.list_event_source_mappings = _list_event_source_mappings  # type: ignore[method-assign,assignment]
    LambdaSimpleBackend.invoke = _lambda_invoke  # type: ignore[method-assign]
    Rule.send_to_targets = _send_to_targets  # type: ignore[method-assign]
    WaitFunction._wait_interval = _wait_interval  # type: ignore[method-assign]
    retrier_decl.time = SimpleNamespace(sleep=lambda s: time.sleep(timescale.seconds(s)))  # type: ignore[attr-defined]


def uninstall() -> None:
    if not _originals:
        return
    LambdaSimpleBackend.invoke = _originals.pop("invoke")  # type: ignore[method-assign]
    AmazonStateLanguageParser.parse = staticmethod(_originals.pop("asl_parse"))  # type: ignore[method-assign]
    _parse_trees.clear()
    LambdaBackend.list_event_source_mappings = _originals.pop("list_event_source_mappings")  # type: ignore[method-assign]
    Rule.send_to_targets = _originals.pop("send_to_targets")  # type: ignore[method-assign]
    WaitFunction._wait_interval = _originals.pop("wait_interval")  # type: ignore[method-assign]
    retrier_decl.time = _originals.pop("retrier_time")  # type: ignore[attr-defined]
    StepFunctionsParserBackend.start_execution = _originals.pop("start_execution")  # type: ignore[method-assign]
    fairqueues.uninstall()
    SQSBackend.is_message_valid_based_on_retention_period = _originals.pop("sqs_retained")  # type: ignore[method-assign]
    for name in _QUEUE_COUNTS:
        setattr(Queue, name, _originals.pop(f"sqs.{name}"))
    _uninstall_dynamodb()
    _state.clear()


def _install_dynamodb() -> None:
    """Patch 5: the two-phase TransactWriteItems, and each DynamoDB (Streams) request under the lock."""
    _originals["dynamodb.transact_write_items"] = DynamoDBBackend.transact_write_items
    DynamoDBBackend.transact_write_items = _transact_write_items  # type: ignore[method-assign]
    for handler in _LOCKED_HANDLERS:
        _originals[f"{handler.__name__}.call_action"] = handler.__dict__.get("call_action")  # None: inherited
        handler.call_action = _serialised(handler.call_action)  # type: ignore[method-assign]


def _uninstall_dynamodb() -> None:
    DynamoDBBackend.transact_write_items = _originals.pop("dynamodb.transact_write_items")  # type: ignore[method-assign]
    for handler in _LOCKED_HANDLERS:
        own = _originals.pop(f"{handler.__name__}.call_action")
        if own is None:
            del handler.call_action
        else:
            handler.call_action = own  # type: ignore[method-assign]


@contextmanager
def dynamodb_atomicity() -> Iterator[None]:
    """Patch 5 alone, for tests that call services from many threads under a plain ``mock_aws``
    (the services' conditional writes must be as atomic as DynamoDB's)."""
    if "dynamodb.transact_write_items" in _originals:  # a LocalCloud runs in this process: already patched
        yield
        return
    _install_dynamodb()
    try:
        yield
    finally:
        _uninstall_dynamodb()
