"""Create the template's resources in moto, in dependency order, with the names CloudFormation would give.

Each resource is created through the service's own API (boto3 against the in-process moto), so what
handlers later read and write is moto's real implementation, not a localcloud imitation.

A nested stack (``AWS::CloudFormation::Stack``) is provisioned as CloudFormation does: its own
Provisioner, its own logical-id namespace, parameters from the parent's resolved ``Parameters``, and
its ``Outputs`` as the parent's ``Fn::GetAtt <Stack>.Outputs.<Name>``. What the runtime drives
(functions, mappings, rules, APIs...) is collected once for the whole tree, keyed by qualified id
(``Orders/Handler``). Names: the root's unnamed resources are ``<stack>-<LogicalId>`` (localcloud's
readable names, kept since tests and operators use them); a nested stack is named
``<parent>-<LogicalId>-<SUFFIX>`` and its unnamed resources ``<nested stack>-<LogicalId>-<SUFFIX>``,
truncated to each service's limit as CloudFormation does, the suffix deterministic so names survive
a restart.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import ClientError

from localcloud.errors import TemplateError
from localcloud.intrinsics import Resolver
from localcloud.lambdas import FunctionRegistry, FunctionSpec
from localcloud.template import Resource, Template, stringify

_BINARY_EXTENSION = "x-amazon-apigateway-binary-media-types"
ACCOUNT = "123456789012"


@dataclass
class EventSourceMapping:
    logical_id: str
    source_arn: str
    function: str
    batch_size: int
    report_item_failures: bool
    starting_position: str
    max_retry_attempts: int
    batching_window: float
    filters: list[dict[str, Any]]
    enabled: bool = True
    bisect_on_error: bool = False  # streams: a batch whose invocation failed is split in two and retried
    on_failure: str | None = None  # streams: SQS queue ARN that gets a record of each discarded batch

    def options(self) -> dict[str, Any]:
        """The settings as Lambda's ListEventSourceMappings shows them."""
        shown: dict[str, Any] = {
            "MaximumBatchingWindowInSeconds": self.batching_window,
            "FunctionResponseTypes": ["ReportBatchItemFailures"] if self.report_item_failures else [],
        }
        if self.filters:
            shown["FilterCriteria"] = {"Filters": [{"Pattern": json.dumps(f)} for f in self.filters]}
        if self.source_arn.split(":")[2] != "sqs":
            shown |= {
                "StartingPosition": self.starting_position,
                "MaximumRetryAttempts": self.max_retry_attempts,
                "BisectBatchOnFunctionError": self.bisect_on_error,
                "DestinationConfig": {"OnFailure": {"Destination": self.on_failure}}
                if self.on_failure
                else {},
            }
        return shown


@dataclass
class RuleSpec:
    logical_id: str
    name: str
    bus: str
    arn: str
    schedule: str | None
    enabled: bool


@dataclass
class RestApi:
    logical_id: str
    api_id: str
    body: dict[str, Any]
    stage: str = "Prod"
    binary_media_types: list[str] = field(default_factory=list)
    # API Gateway's name for it (the ApiName dimension of its metrics): Name, else the Body's title
    name: str = ""


@dataclass
class NestedStack:
    """What one nested stack became: its name, its resources' physical ids and attributes, its Outputs."""

    name: str
    arn: str
    physical: dict[str, Any] = field(default_factory=dict)
    attributes: dict[str, dict[str, Any]] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)


@dataclass
class Deployed:
    """What the template became: physical ids, attributes and what the runtime needs to drive.

    ``physical``, ``attributes`` and ``outputs`` are the root stack's; ``stacks`` holds each nested
    stack's by path (``Orders``, ``Orders/Audit``). The rest covers the whole tree."""

    physical: dict[str, Any] = field(default_factory=dict)
    attributes: dict[str, dict[str, Any]] = field(default_factory=dict)
    functions: FunctionRegistry = field(default_factory=FunctionRegistry)
    layer_dirs: dict[str, Path] = field(default_factory=dict)
    mappings: list[EventSourceMapping] = field(default_factory=list)
    rules: list[RuleSpec] = field(default_factory=list)
    apis: dict[str, RestApi] = field(default_factory=dict)
    distributions: dict[str, dict[str, Any]] = field(default_factory=dict)  # logical id -> config
    # policy id -> (logical id, ResponseHeadersPolicyConfig)
    response_headers_policies: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    site_buckets: dict[str, str] = field(default_factory=dict)  # logical id -> bucket name
    outputs: dict[str, Any] = field(default_factory=dict)
    stacks: dict[str, NestedStack] = field(default_factory=dict)

    def stack(self, path: str) -> NestedStack | Deployed:
        """The root for ``""``, else the nested stack at ``path``."""
        return self if not path else self.stacks[path]


def _short_id(*parts: str, length: int = 10) -> str:
    digest = hashlib.sha256("/".join(parts).encode()).hexdigest()
    return digest[:length]


_SUFFIX_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def cfn_suffix(*parts: str, length: int = 12) -> str:
    """CloudFormation's random suffix of generated names (upper-case letters and digits), derived
    from ``parts`` so the same template gets the same names on every start."""
    number = int(hashlib.sha256("/".join(parts).encode()).hexdigest(), 16)
    chars = []
    for _ in range(length):
        number, index = divmod(number, len(_SUFFIX_ALPHABET))
        chars.append(_SUFFIX_ALPHABET[index])
    return "".join(chars)


def cfn_name(stack: str, logical_id: str, max_len: int) -> str:
    """``<stack>-<LogicalId>-<SUFFIX>`` as CloudFormation names what a template leaves unnamed; when
    too long for the service, the stack name and the logical id are shortened, never the suffix."""
    suffix = cfn_suffix(stack, logical_id)
    budget = max_len - len(suffix) - 2
    if len(stack) + len(logical_id) > budget:
        keep_id = min(len(logical_id), max(budget // 2, budget - len(stack)))
        stack, logical_id = stack[: budget - keep_id], logical_id[:keep_id]
    return f"{stack}-{logical_id}-{suffix}"


class Provisioner:
    def __init__(
        self,
        template: Template,
        stack_name: str,
        region: str,
        on_resource: Callable[[str], None] | None = None,
        *,
        shared: Deployed | None = None,
        parameters: dict[str, Any] | None = None,
    ) -> None:
        """``shared`` and ``parameters`` are given for a nested stack: the tree's collections and
        the values its parent passed (``Template.bind``)."""
        self.template = template
        self.on_resource = on_resource  # told each (qualified) logical id once it exists (a progress bar)
        self.stack = stack_name
        self.region = region
        self.deployed = shared if shared is not None else Deployed()
        self.parameters = parameters if parameters is not None else template.parameters
        self.nested = bool(template.stack_path)
        self.stack_arn = f"arn:aws:cloudformation:{region}:{ACCOUNT}:stack/{stack_name}/" + str(
            uuid.uuid5(uuid.NAMESPACE_URL, stack_name)
        )
        if self.nested:
            record = NestedStack(stack_name, self.stack_arn)
            self.deployed.stacks[template.stack_path] = record
            self.physical, self.attributes = record.physical, record.attributes
        else:
            self.physical, self.attributes = self.deployed.physical, self.deployed.attributes
        self.resolver = Resolver(
            ref=self._ref,
            get_att=self._get_att,
            conditions=template.conditions,
            mappings=template.mappings,
            region=region,
        )
        self._clients: dict[str, Any] = {}
        self._creators: dict[str, Callable[[Resource, dict[str, Any]], None]] = {
            "AWS::DynamoDB::Table": self._table,
            "AWS::SQS::Queue": self._queue,
            "AWS::Events::EventBus": self._event_bus,
            "AWS::Events::Rule": self._rule,
            "AWS::S3::Bucket": self._bucket,
            "AWS::StepFunctions::StateMachine": self._state_machine,
            "AWS::Lambda::Function": self._function,
            "AWS::Lambda::LayerVersion": self._layer,
            "AWS::Lambda::EventSourceMapping": self._event_source_mapping,
            "AWS::ApiGateway::RestApi": self._rest_api,
            "AWS::ApiGateway::Stage": self._stage,
            "AWS::CloudFront::Distribution": self._distribution,
            "AWS::IAM::Role": self._role,
            "AWS::CloudFront::OriginAccessControl": self._generated_id,
            "AWS::CloudFront::Function": self._cloudfront_function,
            "AWS::CloudFront::ResponseHeadersPolicy": self._response_headers_policy,
            "AWS::Logs::LogGroup": self._log_group,
            "AWS::SNS::Topic": self._topic,
            "AWS::KMS::Key": self._kms_key,
            "AWS::SNS::Subscription": self._subscription,
            "AWS::CloudWatch::Alarm": self._alarm,
            "AWS::CloudWatch::Dashboard": self._dashboard,
            "AWS::CloudFormation::Stack": self._nested_stack,
        }

    # --- intrinsics -------------------------------------------------------------------------
    def _pseudo(self) -> dict[str, str]:
        return {
            "AWS::Region": self.region,
            "AWS::AccountId": ACCOUNT,
            "AWS::StackName": self.stack,
            "AWS::StackId": self.stack_arn,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
        }

    def _ref(self, name: str) -> Any:
        if name in self.parameters:
            return self.parameters[name]
        pseudo = self._pseudo()
        if name in pseudo:
            return pseudo[name]
        if name in self.physical:
            return self.physical[name]
        raise TemplateError(name, "referenced before it exists (or skipped by its Condition)")

    def _get_att(self, logical_id: str, attribute: str) -> Any:
        attrs = self.attributes.get(logical_id)
        if attrs is None:
            raise TemplateError(logical_id, "referenced before it exists (or skipped by its Condition)")
        if attribute not in attrs:
            rtype = self.template.resources[logical_id].type
            raise TemplateError(
                f"Fn::GetAtt {logical_id}.{attribute}",
                f"{rtype} has no attribute {attribute} that localcloud knows ({', '.join(sorted(attrs))})",
            )
        return attrs[attribute]

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = boto3.client(service, region_name=self.region)
        return self._clients[service]

    def arn(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{self.region}:{ACCOUNT}:{resource}"

    def _name(self, res: Resource, given: Any, max_len: int = 64) -> str:
        if given:
            return str(given)
        if self.nested:
            return cfn_name(self.stack, res.logical_id, max_len)
        return f"{self.stack}-{res.logical_id}"[:max_len]

    def _id(self, res: Resource) -> str:
        """The resource's id across the tree (``Orders/Handler`` in a nested stack)."""
        return self.template.qualified(res.logical_id)

    # --- driver -----------------------------------------------------------------------------
    def provision(self) -> Deployed:
        for logical_id in self.template.order:
            res = self.template.resources[logical_id]
            if res.condition and not self.resolver.condition(res.condition):
                continue
            where = self._id(res)
            try:
                props = self.resolver.resolve(res.properties)
            except TemplateError as exc:
                if exc.where in (logical_id, where):
                    raise TemplateError(where, exc.problem) from exc
                raise TemplateError(where, str(exc)) from exc
            except (KeyError, IndexError, TypeError, ValueError) as exc:
                raise TemplateError(where, f"cannot evaluate its properties: {exc!r}") from exc
            creator = self._creators.get(res.type, self._inert)
            try:
                creator(res, props)
            except ClientError as exc:  # the emulated service refused the properties, as AWS would
                raise TemplateError(where, f"{res.type} rejected: {exc}") from exc
            except TemplateError as exc:
                if exc.where == logical_id:
                    raise TemplateError(where, exc.problem) from exc
                raise
            if self.on_resource is not None:
                self.on_resource(where)
        outputs = {
            name: self.resolver.resolve(spec.get("Value"))
            for name, spec in self.template.outputs.items()
            if not spec.get("Condition") or self.resolver.condition(spec["Condition"])
        }
        if self.nested:
            self.deployed.stacks[self.template.stack_path].outputs = outputs
        else:
            self.deployed.outputs = outputs
        return self.deployed

    def _set(self, res: Resource, physical: Any, **attributes: Any) -> None:
        self.physical[res.logical_id] = physical
        self.attributes[res.logical_id] = attributes

    # --- resource types ---------------------------------------------------------------------
    def _inert(self, res: Resource, props: dict[str, Any]) -> None:
        self._set(res, f"{self.stack}-{res.logical_id}-{_short_id(self.stack, res.logical_id)}")

    def _generated_id(self, res: Resource, props: dict[str, Any]) -> None:
        ident = "E" + _short_id(self.stack, res.logical_id, length=13).upper()
        self._set(res, ident, Id=ident)

    def _role(self, res: Resource, props: dict[str, Any]) -> None:
        name = self._name(res, props.get("RoleName"))
        self._set(
            res, name, Arn=f"arn:aws:iam::{ACCOUNT}:role/{name}", RoleId="AROA" + _short_id(name).upper()
        )

    def _log_group(self, res: Resource, props: dict[str, Any]) -> None:
        name = self._name(res, props.get("LogGroupName"), 512)
        self._set(res, name, Arn=self.arn("logs", f"log-group:{name}:*"))

    def _topic(self, res: Resource, props: dict[str, Any]) -> None:
        name = self._name(res, props.get("TopicName"), 256)
        arn = self.client("sns").create_topic(Name=name)["TopicArn"]
        self._set(res, arn, TopicArn=arn, TopicName=name)

    def _kms_key(self, res: Resource, props: dict[str, Any]) -> None:
        """A symmetric key in moto's KMS (Encrypt/Decrypt with encryption contexts work as on AWS);
        the key policy is kept, not enforced."""
        args: dict[str, Any] = {
            "Description": props.get("Description", ""),
            "KeyUsage": props.get("KeyUsage", "ENCRYPT_DECRYPT"),
            "KeySpec": props.get("KeySpec", "SYMMETRIC_DEFAULT"),
        }
        if isinstance(props.get("KeyPolicy"), dict):
            args["Policy"] = json.dumps(props["KeyPolicy"])
        kms = self.client("kms")
        meta = kms.create_key(**args)["KeyMetadata"]
        if props.get("EnableKeyRotation"):
            kms.enable_key_rotation(KeyId=meta["KeyId"])
        self._set(res, meta["KeyId"], Arn=meta["Arn"], KeyId=meta["KeyId"])

    def _subscription(self, res: Resource, props: dict[str, Any]) -> None:
        """Subscribed as SNS would (an e-mail endpoint stays "pending confirmation"); nothing is sent."""
        arn = self.client("sns").subscribe(
            TopicArn=props["TopicArn"], Protocol=props["Protocol"], Endpoint=props["Endpoint"]
        )["SubscriptionArn"]
        self._set(res, arn, Arn=arn)

    _ALARM_FIELDS = (
        "AlarmName", "AlarmDescription", "Namespace", "MetricName", "Dimensions", "Statistic", "Period",
        "EvaluationPeriods", "Threshold", "ComparisonOperator", "TreatMissingData", "AlarmActions",
        "OKActions", "InsufficientDataActions", "DatapointsToAlarm", "ExtendedStatistic", "Metrics",
        "ThresholdMetricId", "Unit", "EvaluateLowSampleCountPercentile",
    )  # fmt: skip

    def _alarm(self, res: Resource, props: dict[str, Any]) -> None:
        """Created in moto's CloudWatch, where it can be read back; moto does not evaluate alarms
        against SQS metrics, so it never fires locally."""
        args = {key: props[key] for key in self._ALARM_FIELDS if key in props}
        args["AlarmName"] = self._name(res, props.get("AlarmName"), 255)
        for key in ("Period", "EvaluationPeriods", "DatapointsToAlarm"):
            if key in args:
                args[key] = int(args[key])
        if "Threshold" in args:
            args["Threshold"] = float(args["Threshold"])
        for query in args.get("Metrics", []):  # a metric-math alarm: its queries as PutMetricAlarm takes them
            if "Period" in query.get("MetricStat", {}):
                query["MetricStat"]["Period"] = int(query["MetricStat"]["Period"])
            if "ReturnData" in query:
                query["ReturnData"] = str(query["ReturnData"]).lower() == "true"
        self.client("cloudwatch").put_metric_alarm(**args)
        self._set(res, args["AlarmName"], Arn=self.arn("cloudwatch", f"alarm:{args['AlarmName']}"))

    def _dashboard(self, res: Resource, props: dict[str, Any]) -> None:
        """Created in moto's CloudWatch (PutDashboard); a body that is not JSON fails as on AWS."""
        name = self._name(res, props.get("DashboardName"), 255)
        body = props["DashboardBody"]
        try:
            json.loads(body)
        except ValueError as exc:
            raise TemplateError(res.logical_id, f"DashboardBody is not JSON: {exc}") from exc
        self.client("cloudwatch").put_dashboard(DashboardName=name, DashboardBody=body)
        self._set(res, name)

    def _cloudfront_function(self, res: Resource, props: dict[str, Any]) -> None:
        arn = f"arn:aws:cloudfront::{ACCOUNT}:function/{props['Name']}"
        self._set(res, arn, FunctionARN=arn, Stage="LIVE", **{"FunctionMetadata.FunctionARN": arn})

    def _response_headers_policy(self, res: Resource, props: dict[str, Any]) -> None:
        """Kept for the distribution's behaviours that name it (``localcloud.cloudfront`` applies it)."""
        ident = _short_id(self.stack, res.logical_id, length=32)
        ident = f"{ident[:8]}-{ident[8:12]}-{ident[12:16]}-{ident[16:20]}-{ident[20:]}"  # CloudFront's shape
        config = props["ResponseHeadersPolicyConfig"]
        self.deployed.response_headers_policies[ident] = (self._id(res), config)
        self._set(res, ident, Id=ident, LastModifiedTime="2024-01-01T00:00:00Z")

    def _table(self, res: Resource, props: dict[str, Any]) -> None:
        name = self._name(res, props.get("TableName"), 255)
        args: dict[str, Any] = {
            "TableName": name,
            "AttributeDefinitions": props["AttributeDefinitions"],
            "KeySchema": props["KeySchema"],
            "BillingMode": props.get("BillingMode", "PROVISIONED"),
        }
        if args["BillingMode"] == "PROVISIONED":
            args["ProvisionedThroughput"] = props.get(
                "ProvisionedThroughput", {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
            )
        for key in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
            if props.get(key):
                args[key] = props[key]
        stream = props.get("StreamSpecification")
        if stream:
            args["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": stream["StreamViewType"]}
        table = self.client("dynamodb").create_table(**args)["TableDescription"]
        ttl = props.get("TimeToLiveSpecification")
        if ttl and ttl.get("Enabled"):
            self.client("dynamodb").update_time_to_live(
                TableName=name,
                TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl["AttributeName"]},
            )
        self._set(res, name, Arn=table["TableArn"], StreamArn=table.get("LatestStreamArn"))

    _QUEUE_ATTRIBUTES = (
        "DelaySeconds",
        "MaximumMessageSize",
        "MessageRetentionPeriod",
        "ReceiveMessageWaitTimeSeconds",
        "VisibilityTimeout",
        "FifoQueue",
        "ContentBasedDeduplication",
        "KmsMasterKeyId",
        "SqsManagedSseEnabled",
        "DeduplicationScope",
        "FifoThroughputLimit",
    )

    def _queue(self, res: Resource, props: dict[str, Any]) -> None:
        fifo = str(props.get("FifoQueue", "false")).lower() == "true"
        name = props.get("QueueName") or self._name(res, None, 75 if fifo else 80) + (".fifo" if fifo else "")
        attributes = {
            key: str(props[key]).lower() if isinstance(props[key], bool) else str(props[key])
            for key in self._QUEUE_ATTRIBUTES
            if key in props
        }
        if "RedrivePolicy" in props:
            attributes["RedrivePolicy"] = json.dumps(props["RedrivePolicy"])
        url = self.client("sqs").create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        arn = self.arn("sqs", name)
        self._set(res, url, Arn=arn, QueueName=name, QueueUrl=url)

    def _event_bus(self, res: Resource, props: dict[str, Any]) -> None:
        name = props["Name"]
        if name != "default":
            self.client("events").create_event_bus(Name=name)
        arn = self.arn("events", f"event-bus/{name}")
        self._set(res, name, Arn=arn, Name=name)

    def _rule(self, res: Resource, props: dict[str, Any]) -> None:
        name = self._name(res, props.get("Name"))
        bus = props.get("EventBusName", "default")
        bus = bus.rsplit("/", 1)[-1] if bus.startswith("arn:") else bus
        state = props.get("State", "ENABLED")
        args: dict[str, Any] = {"Name": name, "EventBusName": bus, "State": state}
        if "EventPattern" in props:
            pattern = props["EventPattern"]
            args["EventPattern"] = pattern if isinstance(pattern, str) else json.dumps(pattern)
        if "ScheduleExpression" in props:
            args["ScheduleExpression"] = props["ScheduleExpression"]
        if props.get("Description"):
            args["Description"] = props["Description"]
        arn = self.client("events").put_rule(**args)["RuleArn"]
        targets = props.get("Targets", [])
        if targets:
            self.client("events").put_targets(Rule=name, EventBusName=bus, Targets=targets)
        self.deployed.rules.append(
            RuleSpec(self._id(res), name, bus, arn, props.get("ScheduleExpression"), state == "ENABLED")
        )
        self._set(res, name, Arn=arn)

    def _bucket(self, res: Resource, props: dict[str, Any]) -> None:
        name = self._name(res, props.get("BucketName"), 63).lower()
        self.client("s3").create_bucket(Bucket=name)
        local = res.metadata.get("localcloud", {})
        if local.get("SyncDir"):
            folder = self.template.path.parent / local["SyncDir"]
            self._sync(name, folder, res.logical_id, local.get("SyncExclude", []))
            self.deployed.site_buckets[self._id(res)] = name
        self._set(
            res,
            name,
            Arn=f"arn:aws:s3:::{name}",
            DomainName=f"{name}.s3.amazonaws.com",
            RegionalDomainName=f"{name}.s3.{self.region}.amazonaws.com",
            WebsiteURL=f"http://{name}.s3-website-{self.region}.amazonaws.com",
        )

    def _sync(self, bucket: str, folder: Path, logical_id: str, exclude: list[str]) -> None:
        """What ``aws s3 sync --exclude 'x/*'`` does on deploy: every file but the excluded top-level
        folders, with its content type."""
        if not folder.is_dir():
            raise TemplateError(logical_id, f"Metadata localcloud.SyncDir {folder} is not a folder")
        files = (p for p in folder.rglob("*") if p.is_file())
        for file in sorted(p for p in files if p.relative_to(folder).parts[0] not in exclude):
            content_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
            if content_type.startswith("text/") or content_type.endswith(("javascript", "json")):
                content_type += "; charset=utf-8"
            self.client("s3").put_object(
                Bucket=bucket,
                Key=file.relative_to(folder).as_posix(),
                Body=file.read_bytes(),
                ContentType=content_type,
            )

    def _state_machine(self, res: Resource, props: dict[str, Any]) -> None:
        name = self._name(res, props.get("StateMachineName"), 80)
        if "DefinitionString" in props:
            definition = props["DefinitionString"]
        elif "Definition" in props:
            definition = json.dumps(props["Definition"])
        else:
            raise TemplateError(res.logical_id, "needs Definition, DefinitionString or a local DefinitionUri")
        for key, value in props.get("DefinitionSubstitutions", {}).items():
            definition = definition.replace("${" + key + "}", str(value))
        try:
            json.loads(definition)
        except json.JSONDecodeError as exc:
            raise TemplateError(res.logical_id, f"state machine definition is not JSON: {exc}") from exc
        arn = self.client("stepfunctions").create_state_machine(
            name=name,
            definition=definition,
            roleArn=props.get("RoleArn", f"arn:aws:iam::{ACCOUNT}:role/{name}"),
            type=props.get("StateMachineType", "STANDARD"),
        )["stateMachineArn"]
        self._set(res, arn, Arn=arn, Name=name)

    def _layer(self, res: Resource, props: dict[str, Any]) -> None:
        name = props.get("LayerName") or res.logical_id
        arn = self.arn("lambda", f"layer:{name}:1")
        self.deployed.layer_dirs[arn] = self.template.code_dir(props["Content"]["S3Key"])
        self._set(res, arn)

    def _function(self, res: Resource, props: dict[str, Any]) -> None:
        name = self._name(res, props.get("FunctionName"))
        code = props.get("Code", {})
        if "S3Key" not in code or code["S3Key"] not in self.template.code_dirs:
            raise TemplateError(res.logical_id, "Code must come from a local folder (CodeUri)")
        for layer in props.get("Layers", []):
            if layer not in self.deployed.layer_dirs:
                raise TemplateError(res.logical_id, f"layer {layer} is not a layer of this template")
        runtime = props.get("Runtime", "")
        if not runtime.startswith("python"):
            raise TemplateError(res.logical_id, f"runtime {runtime!r} cannot run in process (python only)")
        arn = self.arn("lambda", f"function:{name}")
        variables = props.get("Environment", {}).get("Variables", {})
        self.deployed.functions.add(
            FunctionSpec(
                logical_id=self._id(res),
                name=name,
                arn=arn,
                code_dir=self.template.code_dir(code["S3Key"]),
                handler=props["Handler"],
                runtime=runtime,
                timeout=int(props.get("Timeout", 3)),
                memory=int(props.get("MemorySize", 128)),
                environment={key: str(value) for key, value in variables.items()},
                region=self.region,
                invoke_on_start=bool(res.metadata.get("localcloud", {}).get("InvokeOnStart")),
            )
        )
        self._set(res, name, Arn=arn)

    def _event_source_mapping(self, res: Resource, props: dict[str, Any]) -> None:
        source = props["EventSourceArn"]
        service = source.split(":")[2]
        if service not in ("sqs", "dynamodb"):
            raise TemplateError(
                res.logical_id, f"event source {service} is not supported (sqs, dynamodb streams)"
            )
        default_batch = 10 if service == "sqs" else 100
        self.deployed.mappings.append(
            EventSourceMapping(
                logical_id=self._id(res),
                source_arn=source,
                function=props["FunctionName"],
                batch_size=int(props.get("BatchSize", default_batch)),
                report_item_failures="ReportBatchItemFailures" in props.get("FunctionResponseTypes", []),
                starting_position=props.get("StartingPosition", "LATEST"),
                max_retry_attempts=int(props.get("MaximumRetryAttempts", -1)),
                batching_window=float(props.get("MaximumBatchingWindowInSeconds", 0)),
                filters=[
                    json.loads(f["Pattern"]) for f in props.get("FilterCriteria", {}).get("Filters", [])
                ],
                enabled=bool(props.get("Enabled", True)),
                bisect_on_error=bool(props.get("BisectBatchOnFunctionError", False)),
                on_failure=props.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination"),
            )
        )
        self._set(res, _short_id(self.stack, res.logical_id, length=32))

    def _rest_api(self, res: Resource, props: dict[str, Any]) -> None:
        if "Body" not in props:
            raise TemplateError(res.logical_id, "a RestApi needs an inline Body (SAM Api events write one)")
        api_id = _short_id(self.stack, res.logical_id)
        # CloudFormation escapes "/" in media types as "~1"; the OpenAPI extension may list them too.
        media_types = [*props.get("BinaryMediaTypes", []), *props["Body"].get(_BINARY_EXTENSION, [])]
        self.deployed.apis[self._id(res)] = RestApi(
            self._id(res),
            api_id,
            props["Body"],
            binary_media_types=sorted({media.replace("~1", "/") for media in media_types}),
            name=props.get("Name") or props["Body"].get("info", {}).get("title", ""),
        )
        self._set(res, api_id, RootResourceId=_short_id(api_id, "/"))

    def _stage(self, res: Resource, props: dict[str, Any]) -> None:
        for api in self.deployed.apis.values():
            if api.api_id == props.get("RestApiId"):
                api.stage = props["StageName"]
        self._set(res, props["StageName"])

    def _distribution(self, res: Resource, props: dict[str, Any]) -> None:
        ident = "E" + _short_id(self.stack, res.logical_id, length=13).upper()
        self.deployed.distributions[self._id(res)] = props.get("DistributionConfig", {})
        self._set(res, ident, Id=ident, DomainName=f"d{_short_id(ident, length=13)}.cloudfront.net")

    def _nested_stack(self, res: Resource, props: dict[str, Any]) -> None:
        """Create the nested stack's resources now (its parent waits, as CloudFormation waits for
        CREATE_COMPLETE), then expose its Outputs as ``Outputs.<Name>`` attributes."""
        child = self.template.children[res.logical_id]
        given = {name: stringify(value) for name, value in props.get("Parameters", {}).items()}
        name = cfn_name(self.stack, res.logical_id, 128)
        provisioner = Provisioner(
            child, name, self.region, self.on_resource, shared=self.deployed, parameters=child.bind(given)
        )
        provisioner.provision()
        outputs = self.deployed.stacks[child.stack_path].outputs
        self._set(res, provisioner.stack_arn, **{f"Outputs.{key}": value for key, value in outputs.items()})
