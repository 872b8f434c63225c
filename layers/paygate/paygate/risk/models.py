"""The risk rule language, list entries and the assessment a payment stores under ``risk``.

A rule is structured JSON (never evaluated as code): ``{name, action, conditions, enabled}``; every
condition must hold. ``parse_rule`` / ``parse_entry`` are the ways in: their errors name the field as
``conditions[1].value``. The language, the order and the decisions: docs/risk.md.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, ValidationError, model_validator

from paygate.core.errors import BadRequest
from paygate.core.money import is_currency

MAX_CONDITIONS = 10
MAX_IN_VALUES = 100
MAX_AMOUNT = 10**15
MAX_VELOCITY = 1_000_000
RuleAction = Literal["request_3ds", "allow", "block", "review"]
# Radar's order: the first matching rule in this order decides; allow stops block and review
ACTION_ORDER: tuple[RuleAction, ...] = ("request_3ds", "allow", "block", "review")
Decision = Literal["allow", "block", "review", "request_3ds", "none"]
Level = Literal["normal", "elevated", "highest"]
ELEVATED = 65
HIGHEST = 75

NUMERIC_FIELDS = ("amount", "score")
TEXT_FIELDS = (
    "currency",
    "method",
    "card_bin",
    "card_network",
    "card_country",
    "card_fingerprint",
    "email",
    "ip",
    "vpa",
    "customer",
    "merchant_category",
)
FactField = Literal[
    "amount",
    "score",
    "currency",
    "method",
    "card_bin",
    "card_network",
    "card_country",
    "card_fingerprint",
    "email",
    "ip",
    "vpa",
    "customer",
    "merchant_category",
]
Op = Literal["eq", "ne", "in", "not_in", "gt", "gte", "lt", "lte", "in_cidr"]
VelocityKey = Literal["card_fingerprint", "ip", "email", "vpa", "customer"]
Window = Literal["minute", "hour", "day"]
Count = Literal["attempts", "declines"]
ListName = Literal["allow", "block"]
EntryType = Literal["card_fingerprint", "card_bin", "email", "ip", "vpa", "country"]

_BIN = re.compile(r"^\d{6,8}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{1,63}$")
_VPA = re.compile(r"^[a-z0-9.\-_]{2,256}@[a-z][a-z0-9]{1,63}$")
_FINGERPRINT = re.compile(r"^[A-Za-z0-9_\-]{8,128}$")
_TOKEN = re.compile(r"^[A-Za-z0-9_\-.:@]{1,128}$")


def normalise(field: str, value: Any) -> Any:
    """A fact's value as rules and lists compare it (``ValueError`` saying why it cannot be one)."""
    if field in NUMERIC_FIELDS:
        if type(value) is not int or value < 0 or value > (100 if field == "score" else MAX_AMOUNT):
            raise ValueError(
                f"{field} is a whole number, 0 or more" + (" up to 100" if field == "score" else "")
            )
        return value
    if not isinstance(value, str) or not value or len(value) > 320:
        raise ValueError(f"{field} is a non-empty string")
    if field == "currency":
        if not is_currency(value):
            raise ValueError("not an ISO 4217 currency code (three upper-case letters, like INR)")
        return value
    if field in ("card_country", "country"):
        if not _COUNTRY.match(value.upper()):
            raise ValueError("not an ISO 3166 alpha-2 country code (like IN)")
        return value.upper()
    if field == "card_bin":
        if not _BIN.match(value):
            raise ValueError("a BIN is 6 to 8 digits")
        return value
    if field == "email":
        if not _EMAIL.match(value):
            raise ValueError("not an e-mail address")
        return value.lower()
    if field == "vpa":
        if not _VPA.match(value.lower()):
            raise ValueError("not a UPI VPA (name@bank)")
        return value.lower()
    if field == "ip":
        try:
            return str(ipaddress.ip_address(value))
        except ValueError:
            raise ValueError("not an IP address") from None
    if field == "card_fingerprint":
        if not _FINGERPRINT.match(value):
            raise ValueError("not a card fingerprint")
        return value
    if field in ("method", "card_network"):
        return value.lower()
    if not _TOKEN.match(value):
        raise ValueError(f"{field} has characters it cannot have")
    return value


def cidr(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("a CIDR block is a string like 203.0.113.0/24")
    try:
        return str(ipaddress.ip_network(value, strict=False))
    except ValueError:
        raise ValueError("not a CIDR block (like 203.0.113.0/24)") from None


class FieldCondition(BaseModel):
    """``{field, op, value}``: in / not_in take a list; gt... numbers only; in_cidr ip only."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    field: FactField
    op: Op
    value: Any

    @model_validator(mode="after")
    def _typed(self) -> FieldCondition:
        field, op = self.field, self.op
        if op == "in_cidr":
            if field != "ip":
                raise ValueError("op: in_cidr is for field ip only")
            try:
                object.__setattr__(self, "value", cidr(self.value))
            except ValueError as exc:
                raise ValueError(f"value: {exc}") from None
            return self
        if op in ("gt", "gte", "lt", "lte") and field not in NUMERIC_FIELDS:
            raise ValueError(f"op: {op} compares numbers (amount, score), not {field}")
        if op in ("in", "not_in"):
            if not isinstance(self.value, list) or not 1 <= len(self.value) <= MAX_IN_VALUES:
                raise ValueError(f"value: {op} takes a list of 1 to {MAX_IN_VALUES} values")
            values = []
            for index, one in enumerate(self.value):
                try:
                    values.append(normalise(field, one))
                except ValueError as exc:
                    raise ValueError(f"value[{index}]: {exc}") from None
            object.__setattr__(self, "value", values)
            return self
        try:
            object.__setattr__(self, "value", normalise(field, self.value))
        except ValueError as exc:
            raise ValueError(f"value: {exc}") from None
        return self

    def holds(self, facts: Mapping[str, Any]) -> bool:
        fact = facts.get(self.field)
        if fact is None:
            return False  # a rule about a fact the payment does not have never matches it
        op, value = self.op, self.value
        if op == "eq":
            return bool(fact == value)
        if op == "ne":
            return bool(fact != value)
        if op == "in":
            return fact in value
        if op == "not_in":
            return fact not in value
        if op == "in_cidr":
            try:
                return ipaddress.ip_address(fact) in ipaddress.ip_network(value)
            except ValueError:
                return False
        return _compare(op, fact, value)

    def describe(self) -> str:
        return f"{self.field} {self.op} {self.value}"


class Velocity(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    key: VelocityKey
    window: Window
    count: Count

    def name(self) -> str:
        """``card_fingerprint.minute.attempts``: how counters are named in facts and dry runs."""
        return f"{self.key}.{self.window}.{self.count}"


class VelocityCondition(BaseModel):
    """``{velocity: {key, window, count}, op: gt|gte, value: N}``; attempts include the payment itself."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    velocity: Velocity
    op: Literal["gt", "gte"]
    value: int = Field(ge=0, le=MAX_VELOCITY, strict=True)

    def holds(self, counters: Mapping[str, int]) -> bool:
        found = counters.get(self.velocity.name())
        return found is not None and _compare(self.op, found, self.value)

    def describe(self) -> str:
        return f"{self.velocity.name()} {self.op} {self.value}"


def _compare(op: str, fact: Any, value: Any) -> bool:
    if not isinstance(fact, int):
        return False
    return {"gt": fact > value, "gte": fact >= value, "lt": fact < value, "lte": fact <= value}.get(op, False)


def _condition_kind(data: Any) -> str:
    if isinstance(data, dict):
        return "velocity" if "velocity" in data else "field"
    return "velocity" if isinstance(data, VelocityCondition) else "field"


Condition = Annotated[
    Annotated[FieldCondition, Tag("field")] | Annotated[VelocityCondition, Tag("velocity")],
    Discriminator(_condition_kind),
]


class RuleIn(BaseModel):
    """A merchant's rule: every condition must hold; ``enabled: false`` keeps it without applying it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=64)
    action: RuleAction
    conditions: list[Condition] = Field(min_length=1, max_length=MAX_CONDITIONS)
    enabled: bool = True

    @model_validator(mode="after")
    def _amount_has_currency(self) -> RuleIn:
        fields = [c for c in self.conditions if isinstance(c, FieldCondition)]
        currency_fixed = any(c.field == "currency" and c.op == "eq" for c in fields)
        for position, condition in enumerate(self.conditions):
            if isinstance(condition, FieldCondition) and condition.field == "amount" and not currency_fixed:
                # minor units mean different money per currency (10000 is 100.00 INR but 10000 JPY)
                raise ValueError(
                    f"conditions[{position}].field: an amount condition needs a currency eq condition too"
                )
        return self

    def matches(self, facts: Mapping[str, Any], counters: Mapping[str, int]) -> dict[str, Any] | None:
        """The facts that made every condition hold (field or counter -> value), None when one did not."""
        made: dict[str, Any] = {}
        for condition in self.conditions:
            if isinstance(condition, VelocityCondition):
                if not condition.holds(counters):
                    return None
                made[condition.velocity.name()] = counters[condition.velocity.name()]
            else:
                if not condition.holds(facts):
                    return None
                made[condition.field] = facts[condition.field]
        return made


class RulePatch(BaseModel):
    """``PATCH /risk/rules/{id}``: the fields given replace the stored ones (a default rule: enabled only)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str | None = Field(default=None, min_length=1, max_length=64)
    action: RuleAction | None = None
    conditions: list[Condition] | None = Field(default=None, min_length=1, max_length=MAX_CONDITIONS)
    enabled: bool | None = None


class Rule(RuleIn):
    """A rule as stored and answered; a default rule (``default: true``) is the gateway's, read only
    but for ``enabled``."""

    entity: Literal["risk_rule"] = "risk_rule"
    id: str
    mode: Literal["test", "live"]
    default: bool = False
    created_at: str | None = None
    updated_at: str | None = None
    version: int = 0


class RuleList(BaseModel):
    items: list[Rule]
    count: int
    has_more: bool = False


def _raise_bad_request(exc: ValidationError) -> None:
    first = exc.errors(include_url=False, include_input=False)[0]
    loc = tuple(first["loc"])
    field = _path(loc)
    message = first["msg"].removeprefix("Value error, ")
    inner, sep, rest = message.partition(": ")
    if sep and re.fullmatch(r"[a-z_][a-z_0-9.\[\]]*|\[[a-z_0-9.\[\]]+", inner):
        # a check that knows the field at fault below where pydantic reports it
        field = inner if not field else field + (inner if inner.startswith("[") else f".{inner}")
        message = rest
    raise BadRequest(message, field or "body") from None


def _path(loc: tuple[int | str, ...]) -> str:
    """``("conditions", 1, "velocity", "velocity", "window")`` -> ``conditions[1].velocity.window``:
    the union's tag (after a list position) is left out."""
    path = ""
    previous: int | str | None = None
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif isinstance(previous, int) and part in ("field", "velocity") and path.startswith("conditions"):
            pass  # the tag the discriminator chose
        else:
            path += f".{part}" if path else part
        previous = part
    return path


def parse_rule(data: Any) -> RuleIn:
    """A rule, validated and normalised; ``BadRequest`` naming the first offending field otherwise."""
    if not isinstance(data, dict):
        raise BadRequest("a rule is a JSON object", "body")
    try:
        return RuleIn.model_validate(data)
    except ValidationError as exc:
        _raise_bad_request(exc)
        raise  # unreachable


def parse_patch(data: Any) -> RulePatch:
    if not isinstance(data, dict):
        raise BadRequest("the body must be a JSON object", "body")
    try:
        return RulePatch.model_validate(data)
    except ValidationError as exc:
        _raise_bad_request(exc)
        raise


# --- lists ------------------------------------------------------------------------------------------


class ListEntryIn(BaseModel):
    """``{list: allow|block, type, value}``; an ip value may be a CIDR block."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    list: ListName
    type: EntryType
    value: str = Field(min_length=1, max_length=320)

    @model_validator(mode="after")
    def _normalised(self) -> ListEntryIn:
        try:
            if self.type == "ip" and "/" in self.value:
                network = ipaddress.ip_network(cidr(self.value))
                value = str(network.network_address) if network.num_addresses == 1 else str(network)
            else:
                value = normalise(self.type, self.value)
        except ValueError as exc:
            raise ValueError(f"value: {exc}") from None
        object.__setattr__(self, "value", value)
        return self

    def is_cidr(self) -> bool:
        return self.type == "ip" and "/" in self.value


class ListEntry(ListEntryIn):
    entity: Literal["risk_list_entry"] = "risk_list_entry"
    id: str
    mode: Literal["test", "live"]
    created_at: str


class ListEntryList(BaseModel):
    items: list[ListEntry]
    count: int
    has_more: bool


def parse_entry(data: Any) -> ListEntryIn:
    if not isinstance(data, dict):
        raise BadRequest("a list entry is a JSON object", "body")
    try:
        return ListEntryIn.model_validate(data)
    except ValidationError as exc:
        _raise_bad_request(exc)
        raise


# --- the assessment ---------------------------------------------------------------------------------


class RuleRef(BaseModel):
    id: str
    name: str
    default: bool


class ListEntryRef(BaseModel):
    id: str
    list: ListName
    type: EntryType
    value: str


class Signal(BaseModel):
    name: str
    points: int
    detail: str


class Assessment(BaseModel):
    """What the payment stores under ``risk``: the decision, what made it, the score and its signals."""

    action: Decision
    rule: RuleRef | None = None
    list_entry: ListEntryRef | None = None
    score: int = Field(ge=0, le=100)
    level: Level
    signals: list[Signal] = Field(default_factory=list)
    assessed_at: str


def level(score: int) -> Level:
    if score >= HIGHEST:
        return "highest"
    return "elevated" if score >= ELEVATED else "normal"


class DryRunIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rule: dict[str, Any]
    last: int = Field(default=100, ge=1, le=1000, strict=True)


class DryRunMatch(BaseModel):
    payment_id: str
    assessed_at: str
    action: Decision = Field(description="what the payment's assessment decided then")
    facts: dict[str, Any] = Field(description="the facts and counters that made every condition hold")


class DryRunAnswer(BaseModel):
    rule: RuleIn
    assessed: int = Field(description="how many of the last assessed payments were tried")
    matched: int
    matches: list[DryRunMatch]


# --- request bodies: the parsers' field-named errors (``conditions[1].value``) rather than pydantic's
# own locations. ``BadRequest`` is not a ``ValueError``: pydantic lets it through to the error map. ---


class RuleBody(RuleIn):
    """The body of ``POST /api/v1/risk/rules``."""

    @model_validator(mode="before")
    @classmethod
    def _field_named_errors(cls, data: Any) -> Any:
        parse_rule(data)
        return data


class RulePatchBody(RulePatch):
    """The body of ``PATCH /api/v1/risk/rules/{rule_id}``: the fields given change."""

    @model_validator(mode="before")
    @classmethod
    def _field_named_errors(cls, data: Any) -> Any:
        parse_patch(data)
        return data


class ListEntryBody(ListEntryIn):
    """The body of ``POST /api/v1/risk/lists``."""

    @model_validator(mode="before")
    @classmethod
    def _field_named_errors(cls, data: Any) -> Any:
        parse_entry(data)
        return data
