"""A merchant's routing configuration (per merchant and mode) and the routing trace it produces.

A configuration is an ordered list of rules; the first rule whose conditions all hold chooses the
action (a priority list of connector configurations, or a volume split over them); ``default`` acts
when no rule matches. The rule language, the trace's shape and the decisions: docs/connectors.md,
"Routing". ``parse_config`` is the one way in: its errors name the field as
``rules[2].action.split[1].weight``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from paygate.core.errors import BadRequest
from paygate.core.money import exponent, is_currency

MAX_RULES = 50
MAX_CONNECTORS_PER_ACTION = 10
MAX_CURRENCIES_PER_RULE = 50
MAX_AMOUNT = 10**15  # minor units; far above any real payment, keeps the numbers JSON-safe
Method = Literal["card", "upi", "wallet"]
# the networks the gateway recognises (paygate.payments.methods.card_network): a rule on any other
# network could never match, so it is refused instead of silently dead
Network = Literal["visa", "mastercard", "amex", "rupay"]
CONNECTOR_ID = r"^mca_[A-Za-z0-9]{1,40}$"
ConnectorId = Annotated[str, Field(pattern=CONNECTOR_ID)]
# what runs when a merchant has no configuration, or no rule matches and there is no default: today's
# behaviour (every payment on the built-in simulator). It is not a merchant configuration (no mca_).
SIMULATOR = "simulator"


def _iso_currency(code: str) -> str:
    if not is_currency(code):
        raise ValueError("not an ISO 4217 currency code (three upper-case letters, like INR)")
    return code


Currency = Annotated[str, AfterValidator(_iso_currency)]


def _no_duplicates(values: list[Any], what: str, suffix: str = "") -> list[Any]:
    """The list unchanged; a ValueError ``[3]: ...`` (read by ``parse_config``: the position) otherwise."""
    seen: set[Any] = set()
    for index, value in enumerate(values):
        if value in seen:
            raise ValueError(f"[{index}]{suffix}: {what} {value!r} is listed twice")
        seen.add(value)
    return values


class AmountRange(BaseModel):
    """Minor units of the rule's one currency: ``min`` inclusive, ``max`` exclusive; either may be left
    out (no lower / no upper bound)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min: int | None = Field(default=None, ge=0, le=MAX_AMOUNT, strict=True)
    max: int | None = Field(default=None, ge=1, le=MAX_AMOUNT, strict=True)

    @model_validator(mode="after")
    def _bounds(self) -> AmountRange:
        if self.min is None and self.max is None:
            raise ValueError("give min, max or both (minor units)")
        if self.min is not None and self.max is not None and self.min >= self.max:
            raise ValueError(f"min ({self.min}) must be below max ({self.max}): max is exclusive")
        return self

    def holds(self, amount: int) -> bool:
        return (self.min is None or amount >= self.min) and (self.max is None or amount < self.max)

    def describe(self, currency: str) -> str:
        """``100.00-5000.00`` (min inclusive, max exclusive), ``from 100.00``, ``below 5000.00``."""
        low = None if self.min is None else _major(self.min, currency)
        high = None if self.max is None else _major(self.max, currency)
        if low is not None and high is not None:
            return f"{low}-{high}"
        return f"from {low}" if low is not None else f"below {high}"


def _major(amount: int, currency: str) -> str:
    digits = exponent(currency)
    if digits == 0:
        return str(amount)
    whole, part = divmod(amount, 10**digits)
    return f"{whole}.{part:0{digits}d}"


class Conditions(BaseModel):
    """All given conditions must hold; within one, any listed value matches. None: no condition."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    methods: list[Method] | None = Field(default=None, min_length=1, max_length=3)
    networks: list[Network] | None = Field(default=None, min_length=1, max_length=4)
    currencies: list[Currency] | None = Field(default=None, min_length=1, max_length=MAX_CURRENCIES_PER_RULE)
    amount: AmountRange | None = None

    @field_validator("methods", "networks", "currencies")
    @classmethod
    def _unique(cls, values: list[str] | None) -> list[str] | None:
        return None if values is None else _no_duplicates(values, "value")

    @model_validator(mode="after")
    def _coherent(self) -> Conditions:
        if self.networks is not None and self.methods is not None and "card" not in self.methods:
            raise ValueError("networks: a card network condition needs method card (it could never match)")
        if self.amount is not None and (self.currencies is None or len(self.currencies) != 1):
            # minor units mean different money per currency (10000 is 100.00 INR but 10000 JPY)
            raise ValueError("amount: an amount range needs exactly one currency in currencies")
        return self

    def describe(self) -> str:
        """``card, visa, INR, 100.00-5000.00``; ``any payment`` without conditions."""
        parts = []
        if self.methods:
            parts.append("/".join(self.methods))
        if self.networks:
            parts.append("/".join(self.networks))
        if self.currencies:
            parts.append("/".join(self.currencies))
        if self.amount is not None and self.currencies:
            parts.append(self.amount.describe(self.currencies[0]))
        return ", ".join(parts) or "any payment"


class SplitEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    connector: ConnectorId
    # 0 is allowed: never chosen by the split, only a failover
    weight: int = Field(ge=0, le=100, strict=True)


class PriorityAction(BaseModel):
    """Try the configurations in the order listed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Literal["priority"]
    connectors: list[ConnectorId] = Field(min_length=1, max_length=MAX_CONNECTORS_PER_ACTION)

    @field_validator("connectors")
    @classmethod
    def _unique(cls, values: list[str]) -> list[str]:
        return _no_duplicates(values, "connector")

    def connector_ids(self) -> list[str]:
        return list(self.connectors)

    def describe(self) -> str:
        return "priority " + " > ".join(self.connectors)


class VolumeSplitAction(BaseModel):
    """Send each payment to one configuration with the given weights (percent, summing to 100); the
    others, by weight, are its failover order."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Literal["volume_split"]
    split: list[SplitEntry] = Field(min_length=1, max_length=MAX_CONNECTORS_PER_ACTION)

    @field_validator("split")
    @classmethod
    def _sums_to_100(cls, entries: list[SplitEntry]) -> list[SplitEntry]:
        _no_duplicates([entry.connector for entry in entries], "connector", ".connector")
        total = sum(entry.weight for entry in entries)
        if total != 100:
            raise ValueError(f"the weights sum to {total}; they must sum to 100")
        return entries

    def connector_ids(self) -> list[str]:
        return [entry.connector for entry in self.split]

    def describe(self) -> str:
        weights = "/".join(str(entry.weight) for entry in self.split)
        return f"volume split {weights} over " + ", ".join(self.connector_ids())


Action = Annotated[PriorityAction | VolumeSplitAction, Field(discriminator="type")]
ACTION_TYPES = ("priority", "volume_split")


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str | None = Field(default=None, max_length=64, description="the merchant's label, shown in traces")
    conditions: Conditions = Field(default_factory=Conditions)
    action: Action


class RoutingConfigIn(BaseModel):
    """What a merchant sets for one mode: the rules (first match wins) and the default action."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rules: list[Rule] = Field(default_factory=list, max_length=MAX_RULES)
    default: Action | None = Field(
        default=None, description="when no rule matches; none: the built-in simulator, as before routing"
    )

    def connector_ids(self) -> list[tuple[str, str]]:
        """Every (field, configuration id) the configuration names, for checking they exist."""
        named: list[tuple[str, str]] = []
        actions = [(f"rules[{i}].action", rule.action) for i, rule in enumerate(self.rules)]
        if self.default is not None:
            actions.append(("default", self.default))
        for where, action in actions:
            if isinstance(action, PriorityAction):
                named += [(f"{where}.connectors[{i}]", mca) for i, mca in enumerate(action.connectors)]
            else:
                named += [(f"{where}.split[{i}].connector", e.connector) for i, e in enumerate(action.split)]
        return named


class RoutingConfig(RoutingConfigIn):
    """A stored configuration: one per merchant and mode; ``version`` goes into every trace, so a
    decision can be read against the rules as they were."""

    merchant_id: str
    mode: Literal["test", "live"]
    version: int = Field(ge=1)
    updated_at: str


def field_path(loc: tuple[int | str, ...]) -> str:
    """pydantic's ``("rules", 2, "action", "volume_split", "split", 1, "weight")`` as
    ``rules[2].action.split[1].weight``: list positions in brackets, the action's tag left out."""
    path = ""
    previous: int | str | None = None
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part in ACTION_TYPES and previous in ("action", "default"):
            pass
        else:
            path += f".{part}" if path else part
        previous = part
    return path


def parse_config(data: Mapping[str, Any]) -> RoutingConfigIn:
    """A merchant's configuration, validated; ``BadRequest`` naming the first offending field
    (``rules[2].action.split[1].weight``) otherwise. The message never repeats a whole input."""
    try:
        return RoutingConfigIn.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False, include_input=False)[0]
        field = field_path(tuple(first["loc"]))
        message = first["msg"].removeprefix("Value error, ")
        inner, sep, rest = message.partition(": ")
        if sep and re.fullmatch(r"\[\d+\](\.[a-z_]+)?", inner):
            field, message = field + inner, rest  # a list check that knows the position at fault
        elif sep and field.endswith("conditions") and inner in Conditions.model_fields:
            field, message = f"{field}.{inner}", rest  # a check across the conditions that knows which
        raise BadRequest(message, field or "body") from None


def check_references(config: RoutingConfigIn, known: Mapping[str, object]) -> None:
    """``BadRequest`` naming the field of the first configuration id that is not one of ``known`` (the
    merchant's configurations in this mode): a rule must never name another merchant's connector."""
    for field, mca in config.connector_ids():
        if mca not in known:
            raise BadRequest(f"no connector configuration {mca} in this mode", field)


# --- the trace: what a decision says about itself (stored on the payment, shown by the API) ---


class RuleSkipped(BaseModel):
    index: int
    name: str | None = None
    reason: str = Field(description="the first condition that did not hold")


class MatchedRule(BaseModel):
    index: int
    name: str | None = None
    description: str = Field(description="the rule's conditions in words: card, visa, INR, 100.00-5000.00")


class ConnectorConsidered(BaseModel):
    id: str = Field(description="the configuration (mca_...), or simulator")
    connector: str | None = Field(default=None, description="stripe, razorpay, simulator")
    outcome: Literal["chosen", "failover", "skipped"]
    position: int | None = Field(default=None, description="place in the candidates (0: first choice)")
    reason: str


class SplitDraw(BaseModel):
    bucket: int = Field(description="0-99, from a hash of the attempt key")
    picked: str = Field(description="the configuration whose share holds the bucket")
    resplit_bucket: int | None = Field(
        default=None, description="when the pick was skipped: the draw over the available weights"
    )
    resplit_total: int | None = None


class RoutingTrace(BaseModel):
    """Why a payment went where it went. ``steps`` says it in words, in order; the other fields say
    the same in structure."""

    config_version: int | None = None
    source: Literal["rule", "default", "simulator"]
    rule: MatchedRule | None = None
    rules_skipped: list[RuleSkipped] = Field(default_factory=list)
    action: str | None = Field(default=None, description="the action in words")
    split: SplitDraw | None = None
    connectors: list[ConnectorConsidered] = Field(default_factory=list)
    steps: list[str] = Field(default_factory=list)


class RoutingDecision(BaseModel):
    model_config = ConfigDict(frozen=True)

    candidates: list[str] = Field(description="to try in order: the first choice, then the failover order")
    trace: RoutingTrace

    def trace_json(self) -> dict[str, Any]:
        """As stored on the payment: without empty fields (an item over 1 KB costs twice per write)."""
        return self.trace.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
