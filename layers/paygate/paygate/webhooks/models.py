"""Webhook shapes: endpoints (their secret shown once) and deliveries with their attempts."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_serializer, field_validator

from paygate.core.pages import Page
from paygate.core.shown_once import ShownOnce
from paygate.events.catalog import CATALOG

EVENT_TYPES = (*CATALOG, "ping")
EndpointStatus = Literal["enabled", "disabled"]
DeliveryStatus = Literal["pending", "succeeded", "failed"]
FailureReason = Literal["merchant_suspended", "endpoint_unavailable", "endpoint_gone", "attempts_exhausted"]
URL_PATTERN = r"^https?://[^\s/$.?#][^\s]*$"


def _known_events(events: list[str] | None) -> list[str] | None:
    if events is None:
        return None
    unknown = [e for e in events if e != "*" and e not in EVENT_TYPES]
    if unknown:
        raise ValueError(f"unknown event type(s) {', '.join(unknown)}; see the catalog, or use *")
    return events


class EndpointIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(max_length=2048, pattern=URL_PATTERN)
    enabled_events: list[str] = Field(default=["*"], min_length=1, max_length=50)
    description: str | None = Field(default=None, max_length=255)

    _check_events = field_validator("enabled_events")(_known_events)


class EndpointUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str | None = Field(default=None, max_length=2048, pattern=URL_PATTERN)
    enabled_events: list[str] | None = Field(default=None, min_length=1, max_length=50)
    description: str | None = Field(default=None, max_length=255)
    status: EndpointStatus | None = None

    _check_events = field_validator("enabled_events")(_known_events)


class Endpoint(BaseModel):
    id: str
    entity: Literal["webhook_endpoint"] = "webhook_endpoint"
    url: str
    enabled_events: list[str]
    description: str | None = None
    status: EndpointStatus
    mode: str
    created_at: str
    updated_at: str


class EndpointWithSecret(Endpoint):
    """Creation and rotation answers: the signing secret, shown this once."""

    secret: ShownOnce

    @field_serializer("secret", when_used="json")
    def _reveal(self, secret: SecretStr) -> str:
        return secret.get_secret_value()


class Attempt(BaseModel):
    number: int
    at: str
    response_code: int | None = None
    response_body: str | None = None
    error: str | None = None
    duration_ms: int


class Delivery(BaseModel):
    id: str
    entity: Literal["webhook_delivery"] = "webhook_delivery"
    event_id: str
    event_type: str
    endpoint_id: str
    url: str
    status: DeliveryStatus
    attempt_count: int
    last_attempt_at: str | None = None
    next_retry_at: str | None = None
    response_code: int | None = None
    failure_reason: FailureReason | None = None  # why a failed delivery stopped (none while pending)
    mode: str
    created_at: str
    updated_at: str


class DeliveryDetail(Delivery):
    attempts: list[Attempt] = []


EndpointList = Page[Endpoint]
DeliveryList = Page[Delivery]
