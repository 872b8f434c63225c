"""Environment variables read into pydantic models.

Each function composes the settings it needs by inheritance (``class HealthEnv(Observability, ...)``)
and reads them with ``HealthEnv.load()``. The result is cached per execution environment (its log
stream name): on AWS a process is one environment of one function, while the embedded runtime
(localcloud) runs every function, and every restart of the stack, in one process, each environment
with its own variables; a cache per process, or per function name, would hand one function another's
settings, or a restarted stack the old one's (a fresh random session key, say).
"""

from __future__ import annotations

import os
import threading
from typing import Annotated, Any, Self

from pydantic import BaseModel, BeforeValidator, ConfigDict, SecretStr

_cache: dict[tuple[type, str], Any] = {}
_lock = threading.Lock()


class EnvSettings(BaseModel):
    """Base: field ``foo_bar`` reads the variable ``FOO_BAR``; unknown variables are ignored."""

    model_config = ConfigDict(
        frozen=True, extra="ignore", alias_generator=str.upper, populate_by_name=True, defer_build=True
    )

    @classmethod
    def load(cls) -> Self:
        key = (cls, os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME", ""))
        cached = _cache.get(key)
        if cached is None:
            with _lock:
                cached = _cache.get(key) or cls.model_validate(dict(os.environ))
                _cache[key] = cached
        return cached


def _split_csv(value: Any) -> Any:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


CsvList = Annotated[list[str], BeforeValidator(_split_csv)]
"""A comma-separated variable, as ``!Join [",", [...]]`` writes it in the template."""


class Observability(EnvSettings):
    powertools_service_name: str = "paygate"


class HealthEnv(Observability):
    """Which tables and queues ``GET /api/v1/health`` probes (comma-separated names / URLs); in test
    mode it also waits for the seeded merchant (the start step)."""

    health_check_tables: CsvList = []
    health_check_queues: CsvList = []
    test_mode: bool = False


class MerchantsTable(EnvSettings):
    merchants_table: str


class PaymentsTable(EnvSettings):
    payments_table: str


class IdempotencyTable(EnvSettings):
    idempotency_table: str = ""


class TestMode(EnvSettings):
    """The seed's test switches: outcome and delay of simulated processing, test-only routes."""

    test_mode: bool = False
    test_payment_success: bool = True
    test_processing_delay: int = 0  # ms


class PlatformAdmin(EnvSettings):
    """SHA-256 (hex) of the platform admin key; empty disables the admin API."""

    platform_admin_key_hash: str = ""


class Processing(TestMode):
    processing_delay_min: int = 1000  # ms
    processing_delay_max: int = 3000  # ms
    upi_success_rate: float = 0.90
    card_success_rate: float = 0.95
    refund_delay_min: int = 3  # s
    refund_delay_max: int = 5  # s
    test_refund_delay: int = 0  # s


class ApiEnv(Observability, MerchantsTable, PaymentsTable, IdempotencyTable, TestMode):
    """What every merchant-facing route reads: who is calling, where objects live."""


class AdminEnv(Observability, MerchantsTable, PlatformAdmin, TestMode):
    pass


class JobsEnv(Observability, PaymentsTable, Processing):
    payment_state_machine_arn: str = ""
    payment_attempt_queue_url: str = ""
    refund_queue_url: str = ""


class JobsStatusEnv(Observability, TestMode):
    """Queue URLs, state machine ARNs and worker function names that the test jobs status reports."""

    job_queues: CsvList = []
    job_state_machines: CsvList = []
    job_workers: CsvList = []


class EventsEnv(Observability):
    event_bus_name: str = ""


class WebhooksTable(EnvSettings):
    webhooks_table: str


class ConnectorsTable(EnvSettings):
    connectors_table: str
    # open -> half-open (the root's CircuitCoolDownSeconds; tests shorten it)
    circuit_cool_down_seconds: int = 30


class ConnectorsEnv(ConnectorsTable, TestMode):
    """The connectors context: its table and the KMS key its credentials are encrypted under."""

    connectors_key_id: str


class WebhookEnv(Observability, WebhooksTable, MerchantsTable, TestMode):
    """Dispatch and delivery: where deliveries start, and which retry schedule they follow."""

    webhook_state_machine_arn: str = ""
    webhook_retry_intervals_test: bool = False
    # the fair delivery queue every attempt goes through (MessageGroupId = merchant and mode)
    webhook_delivery_queue_url: str = ""


class SessionSigning(EnvSettings):
    """HS256 key of dashboard session tokens (template parameter SessionSigningKey); empty disables them."""

    session_signing_key: SecretStr = SecretStr("")


# --- provider webhooks (issue 17 step 3) ------------------------------------------------------------
class ProviderWebhookEnv(ConnectorsEnv, EventsEnv):
    """ReceiveProviderWebhook: the configurations (and their KMS key) and the bus it publishes to."""


class ProviderEventsEnv(Observability, PaymentsTable):
    """ApplyProviderEvent: the payments table, where the events' moves and markers are written."""


class VaultTable(EnvSettings):
    """The vault's table alone: saved payment methods live there (no KMS needed to read them)."""

    vault_table: str


class VaultEnv(EnvSettings):
    """The vault's table (its own stack). Set on the vault's functions, and on the payments functions
    that commit a sealed card's items in their own transaction or delete a CVC (no KMS there)."""

    vault_table: str


class VaultKeyEnv(VaultEnv):
    """Inside the vault's own functions only: the KMS key the key rings' data keys are wrapped by."""

    vault_key_id: str


class VaultClientEnv(EnvSettings):
    """The vault's functions a caller invokes (names or ARNs, Vault stack outputs): TokenizeCard for
    the card-taking functions, RevealCard for the authorizing ones; empty where not granted."""

    vault_tokenize_function: str = ""
    vault_reveal_function: str = ""


# --- 3-D Secure (issue 17 item 5: docs/connectors.md "3-D Secure") ---------------------------------
class ChallengeEnv(EnvSettings):
    """The hosted 3-D Secure challenge: the HMAC key of its tokens (template parameter
    ChallengeSigningKey; empty: no challenge can be signed), how long a payer has to complete it
    (ChallengeTimeoutSeconds), the site's public address (PublicUrl; empty: addresses relative to the
    gateway's origin) and the queue of challenge timeouts."""

    challenge_signing_key: SecretStr = SecretStr("")
    challenge_timeout_seconds: int = 600
    public_url: str = ""
    challenge_timeout_queue_url: str = ""


# --- customers (issue 18 item 1: docs/customers.md) -------------------------------------------------
class CustomersTable(EnvSettings):
    """The Customers stack's table; set on its own functions and on the Payments functions that take a
    ``customer`` (orders, intents) or list a customer's payments and refunds."""

    customers_table: str


# --- risk (issue 19: docs/risk.md) ------------------------------------------------------------------
class RiskTable(EnvSettings):
    """The Risk stack's table: rules, lists, velocity counters and assessments; set on its functions
    and on the payment functions that call ``paygate.risk.service.assess``."""

    risk_table: str
