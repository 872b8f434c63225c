"""CloudFormation intrinsic functions, as CloudFormation evaluates them at deploy time.

Supported: Ref, Fn::GetAtt, Fn::Sub, Fn::Join, Fn::Select, Fn::Split, Fn::If / Fn::Equals / Fn::Not /
Fn::And / Fn::Or / Condition, Fn::FindInMap, Fn::Base64, Fn::GetAZs and AWS::NoValue. Anything else
(Fn::ImportValue, Fn::Transform, Fn::Cidr, ...) is refused when the template is read, naming the resource.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from typing import Any

from localcloud.errors import TemplateError

SUPPORTED = frozenset(
    {
        "Ref",
        "Fn::GetAtt",
        "Fn::Sub",
        "Fn::Join",
        "Fn::Select",
        "Fn::Split",
        "Fn::If",
        "Fn::Equals",
        "Fn::Not",
        "Fn::And",
        "Fn::Or",
        "Condition",
        "Fn::FindInMap",
        "Fn::Base64",
        "Fn::GetAZs",
    }
)
PSEUDO = (
    "AWS::Region",
    "AWS::AccountId",
    "AWS::StackName",
    "AWS::StackId",
    "AWS::Partition",
    "AWS::URLSuffix",
)
_SUB_VAR = re.compile(r"\$\{([^}]+)\}")


class _NoValue:
    """Ref AWS::NoValue: the property disappears."""


NO_VALUE = _NoValue()


def intrinsic_name(node: Any) -> str | None:
    if isinstance(node, dict) and len(node) == 1:
        (key,) = node
        if key == "Ref" or key.startswith("Fn::") or key == "Condition":
            return key
    return None


def check_supported(node: Any, where: str) -> None:
    """Raise TemplateError for the first intrinsic function localcloud cannot evaluate."""
    name = intrinsic_name(node)
    if name is not None and name not in SUPPORTED:
        raise TemplateError(where, f"intrinsic function {name} is not supported by localcloud")
    if isinstance(node, dict):
        for value in node.values():
            check_supported(value, where)
    elif isinstance(node, list):
        for value in node:
            check_supported(value, where)


def _sub_names(template: str) -> set[str]:
    return {m.group(1) for m in _SUB_VAR.finditer(template) if not m.group(1).startswith("!")}


def references(node: Any) -> set[str]:
    """Logical ids (and parameters) a node refers to through Ref, GetAtt and Sub."""
    found: set[str] = set()
    name = intrinsic_name(node)
    if name == "Ref" and isinstance(node["Ref"], str):
        found.add(node["Ref"])
    elif name == "Fn::GetAtt":
        target = node[name]
        found.add(target.split(".", 1)[0] if isinstance(target, str) else target[0])
    elif name == "Fn::Sub":
        args = node[name]
        template, variables = (args, {}) if isinstance(args, str) else (args[0], args[1])
        for var in _sub_names(template) - set(variables):
            found.add(var.split(".", 1)[0])
        found |= references(variables)
        return found
    if isinstance(node, dict):
        for value in node.values():
            found |= references(value)
    elif isinstance(node, list):
        for value in node:
            found |= references(value)
    return found


class Resolver:
    """Evaluates intrinsics given lookups for Ref and GetAtt (which see the deployed resources)."""

    def __init__(
        self,
        ref: Callable[[str], Any],
        get_att: Callable[[str, str], Any],
        conditions: dict[str, Any],
        mappings: dict[str, Any],
        region: str,
    ) -> None:
        self._ref = ref
        self._get_att = get_att
        self._condition_defs = conditions
        self._conditions: dict[str, bool] = {}
        self._mappings = mappings
        self._region = region

    def condition(self, name: str) -> bool:
        if name not in self._conditions:
            if name not in self._condition_defs:
                raise TemplateError("Conditions", f"condition {name} is not defined")
            self._conditions[name] = bool(self.resolve(self._condition_defs[name]))
        return self._conditions[name]

    def resolve(self, node: Any) -> Any:
        name = intrinsic_name(node)
        if name is not None:
            return getattr(self, "_fn_" + name.replace("Fn::", "").lower())(node[name])
        if isinstance(node, dict):
            resolved = {key: self.resolve(value) for key, value in node.items()}
            return {key: value for key, value in resolved.items() if value is not NO_VALUE}
        if isinstance(node, list):
            return [item for item in (self.resolve(value) for value in node) if item is not NO_VALUE]
        return node

    def _fn_ref(self, target: str) -> Any:
        if target == "AWS::NoValue":
            return NO_VALUE
        return self._ref(target)

    def _fn_getatt(self, args: Any) -> Any:
        if isinstance(args, str):
            logical_id, attribute = args.split(".", 1)
        else:
            logical_id, attribute = args[0], self.resolve(args[1])
        return self._get_att(logical_id, attribute)

    def _fn_sub(self, args: Any) -> str:
        if isinstance(args, str):
            template, variables = args, {}
        else:
            template, variables = args[0], self.resolve(args[1])

        def substitute(match: re.Match[str]) -> str:
            var = match.group(1)
            if var.startswith("!"):
                return "${" + var[1:] + "}"
            if var in variables:
                return str(variables[var])
            if "." in var and not var.startswith("AWS::"):
                logical_id, attribute = var.split(".", 1)
                return str(self._get_att(logical_id, attribute))
            return str(self._ref(var))

        return _SUB_VAR.sub(substitute, template)

    def _fn_join(self, args: list[Any]) -> str:
        delimiter, items = args[0], self.resolve(args[1])
        return delimiter.join(str(item) for item in items)

    def _fn_select(self, args: list[Any]) -> Any:
        index, items = int(self.resolve(args[0])), self.resolve(args[1])
        return items[index]

    def _fn_split(self, args: list[Any]) -> list[str]:
        return str(self.resolve(args[1])).split(args[0])

    def _fn_if(self, args: list[Any]) -> Any:
        return self.resolve(args[1] if self.condition(args[0]) else args[2])

    def _fn_equals(self, args: list[Any]) -> bool:
        return self.resolve(args[0]) == self.resolve(args[1])

    def _fn_not(self, args: list[Any]) -> bool:
        return not self.resolve(args[0])

    def _fn_and(self, args: list[Any]) -> bool:
        return all(self.resolve(arg) for arg in args)

    def _fn_or(self, args: list[Any]) -> bool:
        return any(self.resolve(arg) for arg in args)

    def _fn_condition(self, name: str) -> bool:
        return self.condition(name)

    def _fn_findinmap(self, args: list[Any]) -> Any:
        top, second, third = (self.resolve(arg) for arg in args[:3])
        return self._mappings[top][second][third]

    def _fn_base64(self, value: Any) -> str:
        return base64.b64encode(str(self.resolve(value)).encode()).decode()

    def _fn_getazs(self, _region: Any) -> list[str]:
        return [f"{self._region}{zone}" for zone in "abc"]
