"""Refund shapes."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict

from paygate.core.pages import Page

RefundStatus = Literal["pending", "processed", "failed"]


class RefundIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: Annotated[int, Strict(), Field(ge=1, le=100_000_000_000)] | None = None
    reason: str | None = Field(default=None, max_length=255)


class Refund(BaseModel):
    id: str
    entity: Literal["refund"] = "refund"
    payment_id: str
    customer: str | None = None
    amount: int
    currency: str
    status: RefundStatus
    reason: str | None = None
    mode: str
    created_at: str
    updated_at: str
    processed_at: str | None = None
    provider_reference: str | None = Field(default=None, description="the processor's id of the refund")
    error_code: str | None = None
    error_description: str | None = None


RefundList = Page[Refund]
