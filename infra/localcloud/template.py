"""Read a SAM template, transform it offline with aws-sam-translator, and check localcloud can run it.

The SAM transform is the one CloudFormation applies on deploy, so localcloud sees the same resources
AWS would: functions, their event-source mappings, rules, the REST API's OpenAPI body, roles. Local
paths (CodeUri, ContentUri, DefinitionUri) are swapped for placeholders before the transform, which
only accepts S3 locations, and remembered so functions and layers run from the source tree.

Nested applications (``AWS::Serverless::Application`` with a local ``Location``) become
``AWS::CloudFormation::Stack`` in the transform, as on AWS; each nested template is read and
transformed on its own (CloudFormation transforms a nested template when it creates that stack) and
kept in ``Template.children``, so a whole tree is checked before anything runs. A parameter whose
value is known only once the parent's resources exist (a ``Ref`` or ``GetAtt`` of a resource) is
*deferred*: the transform leaves its ``Ref`` in place and the provisioner resolves it.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import yaml
from samtranslator.model.exceptions import InvalidDocumentException
from samtranslator.parser.parser import Parser
from samtranslator.translator.arn_generator import ArnGenerator
from samtranslator.translator.translator import Translator
from samtranslator.utils.py27hash_fix import to_py27_compatible_template, undo_mark_unicode_str_in_template
from samtranslator.yaml_helper import yaml_parse

from localcloud.errors import TemplateError
from localcloud.intrinsics import PSEUDO, check_supported, references

# Resource types localcloud creates or runs.
EMULATED = frozenset(
    {
        "AWS::DynamoDB::Table",
        "AWS::SQS::Queue",
        "AWS::Events::EventBus",
        "AWS::Events::Rule",
        "AWS::S3::Bucket",
        "AWS::StepFunctions::StateMachine",
        "AWS::Lambda::Function",
        "AWS::Lambda::LayerVersion",
        "AWS::Lambda::EventSourceMapping",
        "AWS::ApiGateway::RestApi",
        "AWS::ApiGateway::Stage",
        "AWS::CloudFront::Distribution",
        "AWS::CloudFront::ResponseHeadersPolicy",  # applied to the answers of the behaviours naming it
        "AWS::SNS::Topic",
        "AWS::SNS::Subscription",
        "AWS::KMS::Key",  # moto's KMS: Encrypt / Decrypt with encryption contexts, rotation flag
        "AWS::CloudWatch::Alarm",  # created, readable; moto never evaluates it against SQS metrics
        "AWS::CloudWatch::Dashboard",  # created in moto (PutDashboard), its body checked as JSON
        "AWS::CloudFormation::Stack",  # a nested template (AWS::Serverless::Application), see load()
    }
)
# Types that deploy real things on AWS but change nothing a local request can observe (permissions,
# deployments, logging, CDN plumbing). They still get names and ARNs so references resolve.
INERT = frozenset(
    {
        "AWS::IAM::Role",
        "AWS::IAM::Policy",
        "AWS::IAM::ManagedPolicy",
        "AWS::Lambda::Permission",
        "AWS::ApiGateway::Deployment",
        "AWS::ApiGateway::Account",
        "AWS::Logs::LogGroup",
        "AWS::S3::BucketPolicy",
        "AWS::SQS::QueuePolicy",
        "AWS::CloudFront::OriginAccessControl",
        "AWS::CloudFront::Function",
    }
)
_PLACEHOLDER_BUCKET = "localcloud-source"


@dataclass
class Resource:
    logical_id: str
    type: str
    properties: dict[str, Any]
    metadata: dict[str, Any] = field(default_factory=dict)
    depends_on: list[str] = field(default_factory=list)
    condition: str | None = None


@dataclass
class Template:
    path: Path
    resources: dict[str, Resource]
    order: list[str]
    parameters: dict[str, Any]
    conditions: dict[str, Any]
    mappings: dict[str, Any]
    outputs: dict[str, Any]
    code_dirs: dict[str, Path]  # placeholder S3 key -> local folder (functions and layers)
    # nested stacks: logical id of the AWS::CloudFormation::Stack -> its template, read and checked
    children: dict[str, Template] = field(default_factory=dict)
    stack_path: str = ""  # "" for the root, "Orders", "Orders/Audit" below it
    deferred: frozenset[str] = frozenset()  # parameters the parent's resources give at provisioning
    parameter_specs: dict[str, Any] = field(default_factory=dict)  # the Parameters section as declared

    def code_dir(self, s3_key: str) -> Path:
        return self.code_dirs[s3_key]

    def qualified(self, logical_id: str) -> str:
        """The id that names a resource across the tree: ``Orders/OrdersTable`` in a nested stack."""
        return f"{self.stack_path}/{logical_id}" if self.stack_path else logical_id

    def walk(self) -> list[Template]:
        """This template and every nested one below it, parents first."""
        found = [self]
        for child_id in sorted(self.children):
            found.extend(self.children[child_id].walk())
        return found

    def bind(self, given: dict[str, Any]) -> dict[str, Any]:
        """Parameter values at provisioning: the parent's resolved ``Parameters`` over those known
        when the template was read (declared defaults included), AllowedValues checked again."""
        values = {**self.parameters, **given}
        missing = self.deferred - set(values)
        if missing:
            raise TemplateError(self.stack_path, f"no value for deferred parameter(s) {sorted(missing)}")
        for name in self.deferred:
            allowed = self.parameter_specs[name].get("AllowedValues")
            if allowed and values[name] not in allowed:
                raise TemplateError(
                    f"{self.stack_path}/Parameters.{name}", f"{values[name]!r} is not one of {allowed}"
                )
        return values


def resource_counts(root: Template) -> dict[str, int]:
    """Resources of each stack after the SAM transform (CloudFormation's per-stack quota is 500),
    keyed by stack path ("" is the root). Resources behind a false Condition count too: the quota
    must hold for every parameter set, and a nested stack counts as one resource of its parent."""
    return {template.stack_path: len(template.resources) for template in root.walk()}


def _load_document(path: Path) -> Any:
    text = path.read_text()
    if path.suffix == ".json":
        return json.loads(text)
    return yaml.safe_load(text)


def _swap_local_paths(sam: dict[str, Any], base: Path) -> dict[str, Path]:
    """Replace local code and definition paths with what the SAM transform accepts."""
    code_dirs: dict[str, Path] = {}
    function_globals = sam.get("Globals", {}).get("Function", {})
    for logical_id, resource in sam.get("Resources", {}).items():
        rtype, props = resource.get("Type"), resource.setdefault("Properties", {})
        if rtype == "AWS::Serverless::Function":
            if "InlineCode" in props:
                raise TemplateError(logical_id, "InlineCode is not supported; give CodeUri a folder")
            uri = props.get("CodeUri", function_globals.get("CodeUri"))
            if not isinstance(uri, str) or uri.startswith("s3://"):
                raise TemplateError(logical_id, f"CodeUri must be a local folder, got {uri!r}")
            key = f"function/{logical_id}.zip"
            code_dirs[key] = (base / uri).resolve()
            props["CodeUri"] = f"s3://{_PLACEHOLDER_BUCKET}/{key}"
        elif rtype == "AWS::Serverless::Application" and not isinstance(props.get("Location"), str):
            # the transform would ask the Serverless Application Repository for the template
            raise TemplateError(
                logical_id,
                "Location must be a local template file (repository applications are not supported)",
            )
        elif rtype == "AWS::Serverless::LayerVersion":
            uri = props.get("ContentUri")
            if not isinstance(uri, str) or uri.startswith("s3://"):
                raise TemplateError(logical_id, f"ContentUri must be a local folder, got {uri!r}")
            key = f"layer/{logical_id}.zip"
            code_dirs[key] = (base / uri).resolve()
            props["ContentUri"] = f"s3://{_PLACEHOLDER_BUCKET}/{key}"
        elif rtype == "AWS::Serverless::StateMachine" and "DefinitionUri" in props:
            uri = props.pop("DefinitionUri")
            if not isinstance(uri, str):
                raise TemplateError(logical_id, "DefinitionUri must be a local file")
            props["Definition"] = _load_document(base / uri)
        elif rtype == "AWS::Serverless::Api" and isinstance(props.get("DefinitionUri"), str):
            props["DefinitionBody"] = _load_document(base / props.pop("DefinitionUri"))
    for key, folder in code_dirs.items():
        if not folder.is_dir():
            raise TemplateError(
                key.split("/")[1].removesuffix(".zip"), f"code folder {folder} does not exist"
            )
    return code_dirs


class _PolicyMap(dict):  # type: ignore[type-arg]
    """The SAM transform asks IAM for managed policy ARNs; offline, every AWS-managed name is valid."""

    def __contains__(self, name: object) -> bool:
        return True

    def __missing__(self, name: str) -> str:
        return f"arn:aws:iam::aws:policy/{name}"

    def get(self, name: str, default: Any = None) -> str:  # type: ignore[override]
        return self[name]


def _transform(sam: dict[str, Any], parameters: dict[str, Any], region: str) -> dict[str, Any]:
    if "Transform" not in sam:
        return sam
    ArnGenerator.BOTO_SESSION_REGION_NAME = region
    # samtranslator.translator.transform.transform() without its region lookup in the environment.
    translator = Translator(None, Parser(), boto_session=boto3.session.Session(region_name=region))
    params = dict(parameters)
    to_py27_compatible_template(sam, params)
    try:
        cfn = translator.translate(sam, parameter_values=params, get_managed_policy_map=_PolicyMap)
        return undo_mark_unicode_str_in_template(cfn)  # type: ignore[no-any-return]
    except InvalidDocumentException as exc:
        causes = "; ".join(cause.message for cause in exc.causes)
        raise TemplateError("Transform", causes) from exc


def _parameter_values(
    declared: dict[str, Any], given: dict[str, Any], deferred: frozenset[str] = frozenset()
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, spec in declared.items():
        if name in deferred:
            continue
        if name in given:
            values[name] = given[name]
        elif "Default" in spec:
            values[name] = spec["Default"]
        else:
            raise TemplateError(f"Parameters.{name}", "no value given and no Default")
        allowed = spec.get("AllowedValues")
        if allowed and values[name] not in allowed:
            raise TemplateError(f"Parameters.{name}", f"{values[name]!r} is not one of {allowed}")
    unknown = (set(given) | deferred) - set(declared)
    if unknown:
        raise TemplateError("Parameters", f"unknown parameter(s) {sorted(unknown)}")
    return values


def _dependency_order(resources: dict[str, Resource], known: set[str]) -> list[str]:
    deps: dict[str, set[str]] = {}
    for logical_id, res in resources.items():
        refs = references(res.properties) | set(res.depends_on)
        missing = {ref for ref in refs if ref not in resources and ref not in known}
        if missing:
            raise TemplateError(logical_id, f"refers to undefined {sorted(missing)}")
        deps[logical_id] = {ref for ref in refs if ref in resources and ref != logical_id}
    order: list[str] = []
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        if state.get(node) == 2:
            return
        if state.get(node) == 1:
            raise TemplateError(node, f"circular dependency {' -> '.join([*path, node])}")
        state[node] = 1
        for dep in sorted(deps[node]):
            visit(dep, [*path, node])
        state[node] = 2
        order.append(node)

    for logical_id in sorted(resources):
        visit(logical_id, [])
    return order


def declared_parameters(path: Path) -> set[str]:
    """Names in the template's Parameters section (empty when the file cannot be read)."""
    try:
        sam = yaml_parse(Path(path).read_text())
    except (OSError, yaml.YAMLError):
        return set()
    found = sam.get("Parameters") if isinstance(sam, dict) else None
    return set(found) if isinstance(found, dict) else set()


def stringify(value: Any) -> str:
    """A nested stack's parameter as CloudFormation passes it: always a string."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(stringify(item) for item in value)
    return str(value)


def _static_parameters(
    logical_id: str, given: Any, known: dict[str, Any], region: str
) -> tuple[dict[str, str], frozenset[str]]:
    """Split a nested stack's ``Parameters`` into values known now (literals, the parent's own
    parameters, the region) and the names only provisioning can give (resource Refs and GetAtts)."""
    if not isinstance(given, dict):
        raise TemplateError(logical_id, "Parameters must be a map of name to value")
    static: dict[str, str] = {}
    deferred: set[str] = set()
    for name, value in given.items():
        ref = value.get("Ref") if isinstance(value, dict) and len(value) == 1 else None
        literal = isinstance(value, list) and all(isinstance(item, str | int | float) for item in value)
        if literal or isinstance(value, str | int | float | bool):
            static[name] = stringify(value)
        elif ref in known:
            static[name] = stringify(known[ref])
        elif ref == "AWS::Region":
            static[name] = region
        else:
            deferred.add(name)
    return static, frozenset(deferred)


def _nested_template(
    parent: Path,
    res: Resource,
    known: dict[str, Any],
    region: str,
    stack_path: str,
    ancestors: tuple[Path, ...],
) -> Template:
    url = res.properties.get("TemplateURL")
    if not isinstance(url, str) or url.startswith(("http://", "https://", "s3://")):
        raise TemplateError(
            res.logical_id, f"a nested stack needs a local template file as its Location, got {url!r}"
        )
    path = (parent / url).resolve()
    if path in ancestors:
        raise TemplateError(res.logical_id, f"nested template {url} includes itself")
    if not path.is_file():
        raise TemplateError(res.logical_id, f"nested template {path} does not exist")
    static, deferred = _static_parameters(res.logical_id, res.properties.get("Parameters", {}), known, region)
    try:
        return load(path, static, region, deferred=deferred, stack_path=stack_path, _ancestors=ancestors)
    except TemplateError as exc:
        if exc.where.startswith(stack_path + "/"):
            raise
        # the nested template's own sections (Parameters.X, Transform...) named under its stack
        raise TemplateError(f"{stack_path}/{exc.where}", exc.problem) from exc


def load(
    path: Path,
    parameters: dict[str, Any] | None = None,
    region: str = "us-east-1",
    *,
    deferred: frozenset[str] = frozenset(),
    stack_path: str = "",
    _ancestors: tuple[Path, ...] = (),
) -> Template:
    """Read, transform and check ``path`` and its nested templates. Raises TemplateError naming the
    first offending resource (``Stack/Resource`` inside a nested stack)."""
    path = Path(path).resolve()
    try:
        sam = yaml_parse(path.read_text())
    except yaml.YAMLError as exc:
        raise TemplateError(path.name, f"not valid YAML: {exc}") from exc
    if not isinstance(sam, dict) or not isinstance(sam.get("Resources"), dict):
        raise TemplateError(path.name, "has no Resources section")
    sam = copy.deepcopy(sam)
    code_dirs = _swap_local_paths(sam, path.parent)
    declared = sam.get("Parameters", {})
    specs = copy.deepcopy(declared)
    params = _parameter_values(declared, parameters or {}, deferred)
    for name in deferred:  # no Default stands in for a value the parent gives later
        declared[name].pop("Default", None)
    cfn = _transform(sam, params, region)

    def named(logical_id: str) -> str:
        return f"{stack_path}/{logical_id}" if stack_path else logical_id

    resources: dict[str, Resource] = {}
    for logical_id, raw in cfn["Resources"].items():
        rtype = raw.get("Type", "")
        if rtype not in EMULATED and rtype not in INERT:
            raise TemplateError(
                named(logical_id),
                f"resource type {rtype} is not supported by localcloud (see docs/localcloud.md)",
            )
        depends = raw.get("DependsOn", [])
        res = Resource(
            logical_id=logical_id,
            type=rtype,
            properties=raw.get("Properties", {}),
            metadata=raw.get("Metadata", {}),
            depends_on=[depends] if isinstance(depends, str) else list(depends),
            condition=raw.get("Condition"),
        )
        check_supported(res.properties, named(logical_id))
        resources[logical_id] = res
    check_supported(cfn.get("Conditions", {}), named("Conditions"))
    check_supported(cfn.get("Outputs", {}), named("Outputs"))
    try:
        order = _dependency_order(resources, set(params) | deferred | set(PSEUDO) | {"AWS::NoValue"})
    except TemplateError as exc:
        raise TemplateError(named(exc.where), exc.problem) from exc
    children = {
        logical_id: _nested_template(path.parent, res, params, region, named(logical_id), (*_ancestors, path))
        for logical_id, res in resources.items()
        if res.type == "AWS::CloudFormation::Stack"
    }
    return Template(
        path=path,
        resources=resources,
        order=order,
        parameters=params,
        conditions=cfn.get("Conditions", {}),
        mappings=cfn.get("Mappings", {}),
        outputs=cfn.get("Outputs", {}),
        code_dirs=code_dirs,
        children=children,
        stack_path=stack_path,
        deferred=deferred,
        parameter_specs=specs,
    )
