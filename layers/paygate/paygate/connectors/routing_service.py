"""The routing API's use cases: read, replace and empty a merchant's routing configuration for the
key's mode, and route a payment's facts as a dry run (``/api/v1/routing``, docs/connectors.md).

Every change is one PutItem conditioned on the version it read (``routing_store.put``), so two
editors cannot overwrite each other: the loser gets a 409 naming ``expected_version``.
"""

from __future__ import annotations

from paygate.connectors import routing_store
from paygate.connectors.routing import PaymentFacts, route
from paygate.connectors.routing_api_models import (
    EXPECTED_VERSION,
    EvaluateAnswer,
    EvaluateIn,
    RoutingConfigAnswer,
    RoutingConfigPut,
)
from paygate.connectors.routing_models import RoutingConfig, RoutingConfigIn, check_references
from paygate.core.errors import Conflict
from paygate.core.ids import new_id
from paygate.merchants.models import Principal

EMPTY = RoutingConfigIn()


def get(principal: Principal) -> RoutingConfigAnswer:
    return RoutingConfigAnswer.of(principal.mode, routing_store.load(principal.merchant_id, principal.mode))


def replace(principal: Principal, body: RoutingConfigPut) -> RoutingConfigAnswer:
    """Store ``body`` as the next version. Every configuration id it names must be one of the
    merchant's configurations in this mode (400 naming the field that names another)."""
    stored = _current(principal, body.expected_version)
    config = body.config()
    named = [mca for _, mca in config.connector_ids()]
    known = routing_store.configurations(principal.merchant_id, principal.mode, named) if named else {}
    check_references(config, known)
    return RoutingConfigAnswer.of(principal.mode, _write(principal, config, stored))


def delete(principal: Principal, expected_version: int | None) -> RoutingConfigAnswer:
    """Back to the built-in simulator: the configuration is emptied as a new version rather than
    removed, so a version number never names two different sets of rules (traces keep it) and an
    editor holding the old version gets a 409. Nothing stored, or already empty: nothing is written."""
    stored = _current(principal, expected_version)
    if stored is None or (not stored.rules and stored.default is None):
        return RoutingConfigAnswer.of(principal.mode, stored)
    return RoutingConfigAnswer.of(principal.mode, _write(principal, EMPTY, stored))


def evaluate(principal: Principal, facts: EvaluateIn) -> EvaluateAnswer:
    """Where a payment with these facts would go now, and why: the stored configuration, each named
    configuration's ``enabled`` and its circuit breaker's state (read only: no probe is claimed).
    Nothing is written."""
    config = routing_store.load(principal.merchant_id, principal.mode)
    available = routing_store.availability(principal.merchant_id, principal.mode, config)
    attempt_key = facts.attempt_key or new_id("eval")
    payment = PaymentFacts(facts.method, facts.currency, facts.amount, facts.network)
    decision = route(config, payment, available, attempt_key)
    return EvaluateAnswer(candidates=decision.candidates, trace=decision.trace, attempt_key=attempt_key)


def refuse_if_routed(merchant_id: str, mode: str, connector_id: str) -> None:
    """409 naming the first rule field that uses ``connector_id``: a configuration the routing sends
    payments to cannot be deleted (disabling it is fine: routing skips it and says so)."""
    config = routing_store.load(merchant_id, mode)
    if config is None:
        return
    for field, mca in config.connector_ids():
        if mca == connector_id:
            raise Conflict(
                f"the routing configuration (version {config.version}) uses {connector_id}: "
                "change the routing first, or disable the configuration",
                field,
            )


def _current(principal: Principal, expected_version: int | None) -> RoutingConfig | None:
    stored = routing_store.load(principal.merchant_id, principal.mode)
    version = stored.version if stored else 0
    if expected_version is not None and expected_version != version:
        raise Conflict(
            f"the routing configuration is at version {version}, not {expected_version}: read it again",
            EXPECTED_VERSION,
        )
    return stored


def _write(principal: Principal, config: RoutingConfigIn, stored: RoutingConfig | None) -> RoutingConfig:
    version = stored.version if stored else 0
    written = routing_store.put(principal.merchant_id, principal.mode, config, version)
    if written is None:
        raise Conflict(
            "the routing configuration changed while this change was written: read it again",
            EXPECTED_VERSION,
        )
    return written
