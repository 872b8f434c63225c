"""What the routing API (``/api/v1/routing``) takes and answers. The rule language itself is
``routing_models``; its field-named errors (``rules[1].action.connectors[0]``) come from
``routing_models.parse_config`` (docs/connectors.md, "Routing")."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from paygate.connectors.routing_models import (
    MAX_AMOUNT,
    Currency,
    Method,
    Network,
    RoutingConfig,
    RoutingConfigIn,
    RoutingDecision,
    parse_config,
)
from paygate.core.errors import BadRequest

EXPECTED_VERSION = "expected_version"


class RoutingConfigPut(RoutingConfigIn):
    """The body of ``PUT /api/v1/routing``: the whole configuration, and optionally the version it was
    edited from (two dashboard users cannot overwrite each other blindly)."""

    expected_version: int | None = Field(
        default=None,
        ge=0,
        strict=True,
        description="the version this edit starts from (0: none stored); another stored version is a 409",
    )

    @model_validator(mode="before")
    @classmethod
    def _field_named_errors(cls, data: Any) -> Any:
        """``parse_config``'s errors, which name the field as ``rules[1].action.connectors[0]`` (the same
        path a trace and ``check_references`` use), rather than pydantic's own location. ``BadRequest``
        is not a ``ValueError``: pydantic lets it through, and the error map answers it as any 400."""
        if not isinstance(data, dict):
            raise BadRequest("the body must be a JSON object", "body")
        rest = {name: value for name, value in data.items() if name != EXPECTED_VERSION}
        expected = data.get(EXPECTED_VERSION)
        if expected is not None and (type(expected) is not int or expected < 0):
            raise BadRequest("expected_version must be a whole number, 0 or more", EXPECTED_VERSION)
        parse_config(rest)
        return data

    def config(self) -> RoutingConfigIn:
        return RoutingConfigIn.model_validate(self.model_dump(include={"rules", "default"}))


class RoutingConfigAnswer(RoutingConfigIn):
    """A merchant's routing configuration in the key's mode; version 0 when none was ever set."""

    entity: Literal["routing_config"] = "routing_config"
    mode: Literal["test", "live"]
    version: int = Field(ge=0, description="raised by one on every change; 0: never set")
    updated_at: str | None = None
    fallback: Literal["default", "simulator"] = Field(
        description="where a payment no rule matches goes: the default action, or (no default) the "
        "built-in simulator, as before routing existed"
    )

    @classmethod
    def of(cls, mode: str, stored: RoutingConfig | None) -> RoutingConfigAnswer:
        if stored is None:
            return cls(mode=mode, version=0, fallback="simulator")  # type: ignore[arg-type]
        return cls(
            **stored.model_dump(include={"rules", "default", "mode", "version", "updated_at"}),
            fallback="simulator" if stored.default is None else "default",
        )


class EvaluateIn(BaseModel):
    """The facts of a payment to route as a dry run."""

    model_config = ConfigDict(extra="forbid")

    method: Method
    currency: Currency
    amount: int = Field(ge=1, le=MAX_AMOUNT, strict=True, description="minor units")
    network: Network | None = Field(default=None, description="card payments only")
    attempt_key: str | None = Field(
        default=None,
        min_length=1,
        max_length=255,
        description="what a volume split hashes (a payment uses its id); none: a random one, answered",
    )

    @field_validator("network")
    @classmethod
    def _card_only(cls, network: str | None, info: ValidationInfo) -> str | None:
        if network is not None and info.data.get("method") not in (None, "card"):
            raise ValueError("a card network is for method card only")
        return network


class EvaluateAnswer(RoutingDecision):
    """Where a payment with these facts would go now, and why: the candidates in order and the trace."""

    attempt_key: str = Field(description="the key the split drew from (given, or generated)")
