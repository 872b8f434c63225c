"""Payment shapes: requests (strict: integer minor units, known currency, valid method details) and the
objects the API returns. Stored items carry more (keys, version); the output models drop it."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    Strict,
    ValidationInfo,
    field_serializer,
    field_validator,
    model_validator,
)

from paygate.core.errors import BadRequest
from paygate.core.money import format_minor, is_currency, minimum_amount
from paygate.core.pages import Page
from paygate.core.settings import TestMode
from paygate.payments import methods

MinorUnits = Annotated[int, Strict(), Field(ge=1, le=100_000_000_000)]
"""An amount in minor units: an integer (never a float or a string). Payments also respect the
currency's minimum (``paygate.core.money.minimum_amount``: INR 100, USD 50, JPY 50...)."""

Method = Literal["upi", "card", "wallet"]
Wallet = Literal["paytm", "phonepe", "amazonpay"]
"""The wallets a ``wallet`` payment may name (the payer is redirected there and back:
docs/connectors.md#wallets)."""
PaymentStatus = Literal["pending", "requires_action", "success", "failed", "captured", "refunded", "canceled"]
OrderStatus = Literal["created", "attempted", "paid"]
IntentStatus = Literal[
    "requires_payment_method", "processing", "requires_action", "requires_capture", "succeeded", "canceled"
]
CaptureMethod = Literal["automatic", "manual"]
MetadataKey = Annotated[str, Field(min_length=1, max_length=40)]


def _metadata_value(value: Any) -> Any:
    if isinstance(value, bool) or (isinstance(value, int) and abs(value) <= 2**53):
        return value
    if isinstance(value, str) and len(value) <= 500:
        return value
    raise ValueError("a value must be a string (at most 500 characters), a whole number or a boolean")


MetadataValue = Annotated[Any, AfterValidator(_metadata_value)]
Metadata = Annotated[dict[MetadataKey, MetadataValue], Field(max_length=20)]
"""Merchant key-value data on orders (``notes``) and intents (``metadata``): up to 20 keys, each value a
string (<= 500 chars), a whole number or a boolean. No floats (money is never a float, and DynamoDB
would refuse them) and no nesting."""


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _currency(value: str) -> str:
    if not is_currency(value):
        raise ValueError(f"{value!r} is not an ISO 4217 currency code")
    return value


def _at_least_the_minimum(amount: int, info: ValidationInfo) -> int:
    """``currency`` is declared before ``amount`` so that it is known here (unless it was invalid)."""
    currency = info.data.get("currency")
    if currency is not None and amount < minimum_amount(currency):
        raise ValueError(f"amount must be at least {format_minor(minimum_amount(currency), currency)}")
    return amount


class OrderIn(_Request):
    currency: str = Field(default="INR", min_length=3, max_length=3)
    amount: MinorUnits
    receipt: str | None = Field(default=None, max_length=40)
    notes: Metadata = {}
    customer: str | None = Field(
        default=None, max_length=64, description="a customer (cus_…) of this merchant and mode to charge"
    )

    _check_currency = field_validator("currency")(_currency)
    _check_amount = field_validator("amount")(_at_least_the_minimum)


class CardIn(_Request):
    number: SecretStr
    expiry_month: Annotated[int, Strict(), Field(ge=1, le=12)]
    expiry_year: Annotated[int, Strict(), Field(ge=2000, le=2100)]
    cvv: SecretStr
    holder_name: str = Field(min_length=1, max_length=100)

    @field_validator("number")
    @classmethod
    def _number(cls, value: SecretStr) -> SecretStr:
        digits = value.get_secret_value().replace(" ", "")
        if not digits.isdigit() or not 12 <= len(digits) <= 19:
            raise ValueError("card number must be 12-19 digits")
        if not methods.luhn_ok(digits):
            raise ValueError("card number fails the Luhn check")
        if methods.card_network(digits) is None:
            raise ValueError("card network not supported (visa, mastercard, amex, rupay)")
        return SecretStr(digits)

    @field_serializer("number", when_used="json")
    def _number_as_network_and_last4(self, number: SecretStr) -> str:
        """What a serialised card shows (e.g. in the idempotency payload hash): never the PAN."""
        digits = number.get_secret_value()
        return f"{methods.card_network(digits)}-{digits[-4:]}"

    @field_validator("cvv")
    @classmethod
    def _cvv(cls, value: SecretStr) -> SecretStr:
        cvv = value.get_secret_value()
        if not (cvv.isdigit() and 3 <= len(cvv) <= 4):
            raise ValueError("cvv must be 3 or 4 digits")
        return value

    @field_validator("expiry_year")
    @classmethod
    def _not_expired(cls, year: int, info: ValidationInfo) -> int:
        month = info.data.get("expiry_month")
        if month is not None and methods.expired(month, year):
            raise ValueError("card has expired")
        return year


RETURN_URL_PATTERN = r"^https?://[^\s/$.?#][^\s]*$"


class OnlineAcceptanceIn(_Request):
    ip_address: str = Field(min_length=2, max_length=45, pattern=r"^[0-9A-Fa-f:.]+$")
    user_agent: str = Field(min_length=1, max_length=500)


class CustomerAcceptanceIn(_Request):
    type: Literal["online", "offline"]
    online: OnlineAcceptanceIn | None = None


class MandateDataIn(_Request):
    """The customer's acceptance of later charges, as the merchant's page saw it (their IP address and
    browser): what a mandate records (docs/payment-methods.md)."""

    customer_acceptance: CustomerAcceptanceIn

    def check(self) -> None:
        acceptance = self.customer_acceptance
        if acceptance.type == "online" and acceptance.online is None:
            raise BadRequest(
                "an online acceptance needs online.ip_address and online.user_agent", "mandate_data"
            )
        if acceptance.type == "offline" and acceptance.online is not None:
            raise BadRequest("an offline acceptance takes no online details", "mandate_data")


class MethodIn(_Request):
    """Payment method details, as a payment or an intent confirmation carries them."""

    method: Method | None = Field(default=None, description="required unless payment_method is given")
    payment_method: str | None = Field(
        default=None,
        pattern=r"^pm_[0-9A-Za-z]{14}$",
        description="a saved payment method (pm_…) instead of method details; a customer's method needs the "
        "order or intent to be for that customer",
    )
    off_session: bool = Field(
        default=False,
        description="the customer is not present: charge a saved method under its mandate; a card that asks "
        "for authentication fails with AUTHENTICATION_REQUIRED instead of a challenge",
    )
    vpa: str | None = Field(default=None, max_length=320)
    card: CardIn | None = None
    wallet: Wallet | None = Field(default=None, description="a wallet payment's wallet")
    save_payment_method: bool = Field(
        default=False,
        description="save the card to the order's or intent's customer when the payment succeeds (the "
        "checkout's consent box); with mandate_data (or at the checkout) it may be charged off session later",
    )
    mandate_data: MandateDataIn | None = Field(
        default=None, description="the customer's acceptance of later off-session charges of the saved card"
    )
    return_url: str | None = Field(
        default=None,
        max_length=2048,
        pattern=RETURN_URL_PATTERN,
        description="where the payer goes after a 3-D Secure challenge or a wallet (https; http on a test "
        "deployment); "
        "default: the hosted checkout's return page",
    )

    @field_validator("vpa")
    @classmethod
    def _vpa(cls, value: str | None) -> str | None:
        if value is not None and not methods.vpa_ok(value):
            raise ValueError("vpa must look like user@bank")
        return value

    def check_details(self) -> None:
        """Cross-field rule, raised with the field to fix (a model validator could not name it)."""
        if self.payment_method is not None:
            for name in ("method", "card", "vpa", "wallet", "mandate_data"):
                if getattr(self, name) is not None:
                    raise BadRequest(f"a payment with payment_method takes no {name}", name)
            if self.save_payment_method:
                raise BadRequest("the payment_method is saved already", "save_payment_method")
            self._check_return_url()
            return
        if self.off_session:
            raise BadRequest("an off-session payment needs a saved payment_method", "off_session")
        if self.save_payment_method and self.method != "card":
            raise BadRequest("only a card is saved from a payment", "save_payment_method")
        if self.mandate_data is not None:
            if not self.save_payment_method:
                raise BadRequest("mandate_data goes with save_payment_method", "mandate_data")
            self.mandate_data.check()
        if self.method is None:
            raise BadRequest("give method (with its details) or payment_method", "method")
        if self.method == "upi" and self.vpa is None:
            raise BadRequest("a upi payment needs vpa", "vpa")
        if self.method == "card" and self.card is None:
            raise BadRequest("a card payment needs card", "card")
        if self.method == "upi" and self.card is not None:
            raise BadRequest("a upi payment takes no card", "card")
        if self.method == "card" and self.vpa is not None:
            raise BadRequest("a card payment takes no vpa", "vpa")
        self._check_wallet()
        self._check_return_url()

    def _check_return_url(self) -> None:
        if (
            self.return_url
            and self.return_url.lower().startswith("http://")
            and not TestMode.load().test_mode
        ):
            raise BadRequest("return_url must be an https address", "return_url")

    def _check_wallet(self) -> None:
        """A wallet payment names its wallet and carries nothing else; no other method takes a wallet."""
        if self.method != "wallet":
            if self.wallet is not None:
                raise BadRequest(f"a {self.method} payment takes no wallet", "wallet")
            return
        if self.wallet is None:
            raise BadRequest("a wallet payment needs wallet (paytm, phonepe or amazonpay)", "wallet")
        if self.card is not None:
            raise BadRequest("a wallet payment takes no card", "card")
        if self.vpa is not None:
            raise BadRequest("a wallet payment takes no vpa", "vpa")


class PaymentIn(MethodIn):
    order_id: str = Field(min_length=1, max_length=64)


class CaptureIn(_Request):
    amount: MinorUnits | None = None


class IntentIn(_Request):
    currency: str = Field(default="INR", min_length=3, max_length=3)
    amount: MinorUnits
    description: str | None = Field(default=None, max_length=1000)
    metadata: Metadata = {}
    capture_method: CaptureMethod = "automatic"
    customer: str | None = Field(
        default=None, max_length=64, description="a customer (cus_…) of this merchant and mode to charge"
    )

    _check_currency = field_validator("currency")(_currency)
    _check_amount = field_validator("amount")(_at_least_the_minimum)


class IntentCaptureIn(_Request):
    amount_to_capture: MinorUnits | None = None


class ListQuery(BaseModel):
    limit: int = Field(default=10, ge=1, le=100)
    offset: int = Field(default=0, ge=0, le=10_000)


class Order(BaseModel):
    id: str
    entity: Literal["order"] = "order"
    amount: int
    amount_paid: int
    amount_due: int
    currency: str
    receipt: str | None = None
    notes: dict[str, Any] = {}
    status: OrderStatus
    attempts: int
    customer: str | None = None
    mode: str
    created_at: str
    updated_at: str


class CardOut(BaseModel):
    network: str
    last4: str
    expiry_month: int
    expiry_year: int
    fingerprint: str | None = Field(default=None, description="the same card number, the same fingerprint")
    country: str | None = Field(default=None, description="the issuing country, when known")
    holder_name: str | None = Field(default=None, description="null once the customer's data was erased")


class PaymentError(BaseModel):
    code: str
    description: str


class PaymentAttempt(BaseModel):
    """One connector call (a payment attempt may make two: the first choice and one failover)."""

    attempt: int = Field(description="the payment's attempt: 1 the first, higher for retries")
    connector: str = Field(description="simulator, stripe, razorpay")
    merchant_connector_id: str | None = Field(default=None, description="none: the built-in simulator")
    outcome: str = Field(
        description="succeeded, pending, requires_action, declined_hard, declined_soft, "
        "processor_error_retryable, processor_error, unknown"
    )
    provider_code: str | None = None
    provider_message: str | None = None
    provider_reference: str | None = None
    latency_ms: int = 0
    at: str
    failover: bool = Field(default=False, description="this call failed over from the attempt's previous one")


class PaymentConnector(BaseModel):
    """The merchant's connector configuration that took the payment; its captures, voids and refunds
    go there."""

    merchant_connector_id: str
    name: str
    provider_reference: str


class RedirectToUrl(BaseModel):
    url: str = Field(description="where the payer authenticates (the hosted challenge, or the provider's)")
    return_url: str = Field(description="where the payer comes back to afterwards")


class NextAction(BaseModel):
    """What the payer must do before the payment can go on (Stripe's ``next_action``)."""

    type: Literal["redirect_to_url"] = "redirect_to_url"
    redirect_to_url: RedirectToUrl


class Authentication(BaseModel):
    """The payer's 3-D Secure authentication, as the payment keeps it."""

    status: Literal["authenticated", "failed", "timed_out"]
    flow: Literal["challenge", "frictionless"] = "challenge"
    eci: str | None = None
    version: str | None = None
    at: str


class WalletAuthorization(BaseModel):
    """The payer's answer at the wallet (approved or declined there, or never: timed out)."""

    status: Literal["approved", "declined", "timed_out"]
    wallet: Wallet
    at: str


class AuthenticateIn(_Request):
    """The hosted challenge's or wallet page's result (``token`` from its address), or nothing but the
    token when the payer comes back from a provider's own page (the gateway then asks the provider)."""

    token: str = Field(min_length=1, max_length=512, description="the signed token of next_action's url")
    result: Literal["authenticated", "failed", "approved", "declined"] | None = Field(
        default=None,
        description="the payer's choice: authenticated or failed on the hosted 3-D Secure challenge, "
        "approved or declined on the hosted wallet page; omit after a provider's page",
    )


class Payment(BaseModel):
    id: str
    entity: Literal["payment"] = "payment"
    order_id: str | None = None
    payment_intent_id: str | None = None
    customer: str | None = None
    amount: int
    currency: str
    status: PaymentStatus
    method: Method
    payment_method: str | None = Field(default=None, description="the saved method paid with (pm_…)")
    off_session: bool = False
    vpa: str | None = None
    card: CardOut | None = None
    wallet: Wallet | None = None
    captured: bool = False
    amount_captured: int = 0
    captured_at: str | None = None
    amount_refunded: int = 0
    error_code: str | None = None
    error_description: str | None = None
    connector: PaymentConnector | None = Field(default=None, description="none: the built-in simulator")
    next_action: NextAction | None = Field(default=None, description="set while requires_action")
    authentication: Authentication | None = Field(default=None, description="3-D Secure, when there was one")
    wallet_authorization: WalletAuthorization | None = Field(
        default=None, description="a wallet payment: the payer's answer at the wallet"
    )
    risk: dict[str, Any] | None = Field(
        default=None,
        description="the risk assessment before any connector was called: action, the rule or list entry "
        "that decided, score 0-100, level and the signals behind the score (docs/risk.md)",
    )
    attempts: list[PaymentAttempt] = Field(default_factory=list, description="every connector call, in order")
    routing: list[dict[str, Any]] = Field(
        default_factory=list,
        description="per attempt, why it went where it went: the matched rule, the split's draw, each "
        "configuration chosen, kept for failover or skipped, and the steps in words",
    )
    mode: str
    created_at: str
    updated_at: str


class PaymentIntent(BaseModel):
    id: str
    entity: Literal["payment_intent"] = "payment_intent"
    amount: int
    amount_capturable: int = 0
    amount_received: int = 0
    currency: str
    description: str | None = None
    metadata: dict[str, Any] = {}
    capture_method: CaptureMethod
    status: IntentStatus
    latest_payment_id: str | None = None
    last_payment_error: dict[str, Any] | None = None
    next_action: NextAction | None = Field(default=None, description="set while requires_action")
    canceled_at: str | None = None
    customer: str | None = None
    mode: str
    created_at: str
    updated_at: str


class SavedCardChoice(BaseModel):
    """A saved card the checkout may offer: what the card's own holder would recognise, no more."""

    id: str = Field(description="the payment method (pm_…) to pay with")
    network: str
    last4: str
    expiry_month: int
    expiry_year: int


class PublicOrder(BaseModel):
    """What a payer may see of an order: no notes, receipt or merchant ids. An order made for a
    customer also offers the customer's saved cards and a box to save the card."""

    id: str
    amount: int
    currency: str
    status: OrderStatus
    merchant_name: str
    saved_cards: list[SavedCardChoice] = Field(default_factory=list)
    can_save_card: bool = Field(default=False, description="the order is for a customer: a card may be saved")


PUBLIC_DECLINE = ("PAYMENT_DECLINED", "the payment was declined; try again or use another payment method")
"""What anyone holding a payment id sees of a failure: the reason is for the merchant (its API,
webhooks and dashboard), never an oracle for a card tester."""


class PublicPayment(BaseModel):
    id: str
    order_id: str | None = None
    amount: int
    currency: str
    status: PaymentStatus
    method: Method
    wallet: Wallet | None = Field(default=None, description="a wallet payment's wallet (the page names it)")
    error_code: str | None = None
    error_description: str | None = None
    next_action: NextAction | None = Field(
        default=None,
        description="while requires_action: where the checkout sends the payer (3-D Secure, a wallet)",
    )

    @model_validator(mode="after")
    def _generic_decline(self) -> PublicPayment:
        if self.error_code is not None:
            self.error_code, self.error_description = PUBLIC_DECLINE
        return self


IsoTime = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}(T[0-9:.]+Z?)?$")]
"""A ``from``/``to`` filter: an ISO 8601 UTC date or time, compared with ``created_at``."""


OrderList = Page[Order]
PaymentList = Page[Payment]
IntentList = Page[PaymentIntent]
