"""A payer sent to a URL and back: a 3-D Secure challenge, or a wallet (Paytm, PhonePe, Amazon Pay).

    pending --connector answers requires_action--> requires_action (next_action.redirect_to_url)
    requires_action --authenticated on the hosted challenge--> the same connector again --> success | failed
    requires_action --failed on the hosted challenge--> failed AUTHENTICATION_FAILED
    requires_action --back from a provider's own page--> connector.sync --> success | failed | unchanged
    requires_action --ChallengeTimeoutSeconds pass--> failed AUTHENTICATION_TIMEOUT (ExpireChallenge)

A wallet payment takes the same path with the hosted wallet page (``/checkout/wallet``) instead of the
challenge page, its own token purpose (``challenge_tokens``), ``approved``/``declined`` as the payer's
answer (approved: the simulator authorizes; declined: failed WALLET_DECLINED), ``wallet_authorization``
instead of ``authentication``, and WALLET_TIMEOUT when left alone (docs/connectors.md "Wallets").

Every move out of ``requires_action`` is one transaction conditioned on the payment (and its intent)
still being in it (``processing.record_outcome(expected="requires_action")``), so a double click, a
replayed post and a late timeout come to one outcome. The timer: the move into ``requires_action`` is
a stream record; ``DispatchJobs`` turns it into an SQS message delayed until the challenge expires
(``ChallengeTimeoutSeconds``, at most SQS's 900 s) for ``ExpireChallenge``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from paygate.connectors import dispatch
from paygate.connectors.base import ConnectorResult, Outcome
from paygate.connectors.simulator import AUTHENTICATION_FAILED as PROVIDER_AUTHENTICATION_FAILED
from paygate.connectors.simulator import SimulatorConnector
from paygate.core import clock, dynamo
from paygate.core.errors import BadRequest
from paygate.core.observability import logger
from paygate.core.settings import ChallengeEnv, Processing
from paygate.payments import challenge_tokens, risk_gate, store
from paygate.payments.access import owned
from paygate.payments.models import AuthenticateIn, PublicPayment

STATUS = "requires_action"
CHALLENGE_PAGE = "/checkout/challenge"
PAGES = {"challenge": CHALLENGE_PAGE, "wallet": "/checkout/wallet"}  # per purpose (challenge_tokens.LABELS)
FAILED = ("AUTHENTICATION_FAILED", "the payer's 3-D Secure authentication failed")
TIMED_OUT = ("AUTHENTICATION_TIMEOUT", "the payer did not complete 3-D Secure authentication in time")
NO_REDIRECT = ("PROCESSOR_ERROR", "the processor asked for an action the gateway cannot send the payer to")
CHALLENGE_ECI, CHALLENGE_VERSION = "05", "2.2.0"  # what the simulated issuer answers (Visa, 3DS 2.2)
WALLET_DECLINED = ("WALLET_DECLINED", "the payer declined the payment in the wallet")
WALLET_TIMED_OUT = ("WALLET_TIMEOUT", "the payer did not approve the payment in the wallet in time")
PAYER_ANSWERS = {"challenge": ("authenticated", "failed"), "wallet": ("approved", "declined")}


def _settings() -> ChallengeEnv:
    return ChallengeEnv.load()


def _purpose(payment: dict[str, Any]) -> str:
    """What the payer is sent away for: a wallet's approval, or (any other method) a 3-D Secure challenge."""
    return "wallet" if payment.get("method") == "wallet" else "challenge"


def _page(payment_id: str, token: str | None = None, purpose: str = "challenge") -> str:
    query = {"payment_id": payment_id, **({"token": token} if token else {})}
    return f"{_settings().public_url.rstrip('/')}{PAGES[purpose]}?{urlencode(query)}"


def _expiry(payment: dict[str, Any]) -> int:
    """The challenge's deadline, counted from the payment's creation: the same for every attempt, so a
    provider call repeated with its idempotency key sends the same return address (Stripe refuses a key
    reused with other parameters), and the token needs nothing stored."""
    return int(clock.parse(str(payment["created_at"])).timestamp()) + _settings().challenge_timeout_seconds


def provider_return_url(payment: dict[str, Any]) -> str | None:
    """Where a provider's own challenge page sends the payer back: the hosted challenge page in its
    return mode (with a token, so it can ask the gateway to sync), which then forwards the payer to the
    payment's ``return_url``. None for a payment that cannot be challenged (not a card)."""
    if payment.get("method") != "card" or not _settings().challenge_signing_key.get_secret_value():
        return None
    return _page(payment["id"], challenge_tokens.sign(payment["id"], _expiry(payment)))


def _wallet_authorization(payment: dict[str, Any], status: str) -> dict[str, Any]:
    record = {"status": status, "wallet": payment.get("wallet"), "at": clock.iso_now()}
    return {"wallet_authorization": record}


def _payer_answer(payment: dict[str, Any], ok: bool) -> dict[str, Any]:
    """What the payment keeps of the payer's answer: a wallet's authorization, or 3-D Secure's."""
    if _purpose(payment) == "wallet":
        return _wallet_authorization(payment, "approved" if ok else "declined")
    return _authentication("authenticated" if ok else "failed")


def _authentication(status: str, flow: str = "challenge", eci: str | None = None) -> dict[str, Any]:
    record = {"status": status, "flow": flow, "at": clock.iso_now()}
    if eci:
        record.update(eci=eci, version=CHALLENGE_VERSION)
    return {"authentication": record}


def on_result(payment: dict[str, Any], done: dispatch.Dispatched) -> str | None:
    """The attempt path's 3-D Secure cases (``processing.process``): a challenge to start, a frictionless
    authentication to keep, a failed one to name; None for any other result."""
    from paygate.payments import processing  # processing calls this module: imported at call time

    result = done.result
    if result is None:
        return None
    details = dict(result.details or {})
    if result.outcome is Outcome.REQUIRES_ACTION:
        return require_action(payment, done)
    if result.outcome is Outcome.SUCCEEDED and details.get("authentication") == "authenticated":
        extra = _authentication("authenticated", details.get("flow", "frictionless"), details.get("eci"))
        return processing.record_outcome(payment, True, done=done, extra=extra)
    if result.outcome.is_decline and (
        details.get("authentication") == "failed" or result.provider_code == PROVIDER_AUTHENTICATION_FAILED
    ):
        extra = _authentication("failed", details.get("flow", "challenge"))
        return processing.record_outcome(payment, False, FAILED, done=done, declined=True, extra=extra)
    return None


def require_action(payment: dict[str, Any], done: dispatch.Dispatched) -> str:
    """Move a pending payment (and its intent) to ``requires_action`` with Stripe's ``next_action``."""
    from paygate.payments import processing

    result = done.result
    assert result is not None
    simulated = result.connector == "simulator"
    if not simulated and not result.next_action_url:
        # e.g. localstripe's use_stripe_sdk: no address to send the payer to from a hosted page
        return processing.record_outcome(payment, False, NO_REDIRECT, done=done)
    expires = _expiry(payment)
    purpose = _purpose(payment)
    url = (
        _page(payment["id"], challenge_tokens.sign(payment["id"], expires, purpose), purpose)
        if simulated
        else result.next_action_url
    )
    back = payment.get("return_url") or _page(payment["id"], purpose=purpose)
    action = {"type": "redirect_to_url", "redirect_to_url": {"url": url, "return_url": back}}
    now = clock.iso_now()
    sets, append, pointers = processing._kept(payment["id"], done)
    expires_at = clock.iso(datetime.fromtimestamp(expires, UTC))
    change = store.change(
        payment["id"],
        {
            **sets,
            **risk_gate.kept(payment),
            "status": STATUS,
            "next_action": action,
            "challenge_expires_at": expires_at,
            "updated_at": now,
        },
        "#status = :pending",
        append=append or None,
        pending="pending",
    )
    writes = [change, *pointers]
    if payment.get("setup_intent_id"):
        from paygate.payments import setup_intents

        writes.append(setup_intents.action_write(payment, action, now))
    if intent_id := payment.get("payment_intent_id"):
        writes.append(
            store.change(
                intent_id,
                {"status": STATUS, "next_action": action, "updated_at": now},
                "#status = :processing AND #latest_payment_id = :pid",
                processing="processing",
                pid=payment["id"],
            )
        )
    reasons = dynamo.transact(writes)
    if not reasons:
        return STATUS
    if reasons[0] == "ConditionalCheckFailed":
        return "unchanged"
    # the intent moved on (canceled meanwhile): the payment fails as the attempt path fails it
    refused = ("PARENT_NOT_PAYABLE", "the order or intent no longer accepts this payment")
    return processing.record_outcome(payment, False, refused, with_parent=False, done=done)


# --- the payer's answer (POST /api/v1/payments/{payment_id}/authenticate) ----------------------------
def authenticate(payment_id: str, data: AuthenticateIn) -> PublicPayment:
    """The hosted challenge's or wallet page's result, or the payer back from a provider's page;
    answered with what the payer may see. A payment no longer in ``requires_action`` is answered as it
    is (nothing changes). The token must have been signed for this payment's purpose: a challenge's
    token is no wallet approval, nor the reverse."""
    payment = owned(None, "payment", payment_id)
    purpose = _purpose(payment)
    challenge_tokens.verify(data.token, payment_id, clock.now().timestamp(), purpose)
    if data.result is not None and data.result not in PAYER_ANSWERS[purpose]:
        first, second = PAYER_ANSWERS[purpose]
        raise BadRequest(f"this payment's result is {first} or {second}", "result")
    if payment["status"] == STATUS:
        if payment.get("connector"):
            _returned_from_provider(payment, data)
        else:
            _hosted_result(payment, data)
    return PublicPayment.model_validate(store.get(payment_id) or payment)


def _hosted_result(payment: dict[str, Any], data: AuthenticateIn) -> str:
    from paygate.payments import processing

    wallet = _purpose(payment) == "wallet"
    if data.result is None:
        what = "result is approved or declined" if wallet else "result is authenticated or failed"
        raise BadRequest(f"say what the payer answered: {what}", "result")
    if data.result in ("failed", "declined"):
        error = WALLET_DECLINED if wallet else FAILED
        extra = _payer_answer(payment, False)
        return processing.record_outcome(payment, False, error, expected=STATUS, declined=True, extra=extra)
    # authenticated (approved): the same connector (the simulator) authorizes again, with the answer
    attempt = len(payment.get("attempts") or [])
    request = processing.authorization_request(payment, attempt)
    answer = (
        {"status": "approved", "flow": "wallet"}
        if wallet
        else {"status": "authenticated", "eci": CHALLENGE_ECI}
    )
    request = replace(request, authentication=answer)
    result = SimulatorConnector(Processing.load()).authorize(request)
    source = {"source": "wallet" if wallet else "3ds"}
    done = dispatch.Dispatched(result, [dispatch.call_record(request, result, None, False)], source)
    extra = _payer_answer(payment, True) if wallet else _authentication("authenticated", eci=CHALLENGE_ECI)
    return _record(payment, result, done, extra)


def _returned_from_provider(payment: dict[str, Any], data: AuthenticateIn) -> str:
    """Back from the provider's challenge (Stripe's redirect_to_url): ask the provider how it ended."""
    if data.result is not None:
        raise BadRequest("this payment's challenge was the provider's: post the token alone", "result")
    link = payment["connector"]
    connector = dispatch.configured(payment["merchant_id"], payment["mode"], link["merchant_connector_id"])
    if connector is None:
        return "unchanged"
    result = connector.sync(link["provider_reference"])
    logger.info("3-D Secure sync", extra={"payment_id": payment["id"], "outcome": result.outcome.value})
    return _record(payment, result, None, _payer_answer(payment, result.outcome is Outcome.SUCCEEDED))


def _record(
    payment: dict[str, Any], result: ConnectorResult, done: dispatch.Dispatched | None, extra: dict[str, Any]
) -> str:
    from paygate.payments import processing

    if result.outcome is Outcome.SUCCEEDED:
        return processing.record_outcome(payment, True, done=done, expected=STATUS, extra=extra)
    if result.outcome.is_decline:
        authentication = result.provider_code == PROVIDER_AUTHENTICATION_FAILED
        error = FAILED if authentication else processing.decline_error(payment, result)
        return processing.record_outcome(
            payment, False, error, done=done, declined=True, expected=STATUS, extra=extra
        )
    return "unchanged"  # still requires_action, pending or unknown at the provider: the timeout decides


# --- the timeout (ExpireChallenge) -----------------------------------------------------------------------
def expire(payment_id: str) -> int:
    """Fail a challenge left alone past its expiry. Answers 0 when done (or nothing to do), otherwise the
    seconds still to wait (a message delivered early: the job sends it again)."""
    from paygate.payments import processing

    payment = store.get(payment_id)
    if payment is None or payment.get("status") != STATUS:
        return 0
    left = _seconds_left(payment)
    if left > 0:
        return left
    wallet = _purpose(payment) == "wallet"
    error, extra = (
        (WALLET_TIMED_OUT, _wallet_authorization(payment, "timed_out"))
        if wallet
        else (TIMED_OUT, _authentication("timed_out"))
    )
    status = processing.record_outcome(payment, False, error, expected=STATUS, extra=extra)
    what = "wallet approval" if wallet else "3-D Secure challenge"
    logger.info(f"{what} expired", extra={"payment_id": payment_id, "status": status})
    return 0


def _seconds_left(payment: dict[str, Any]) -> int:
    return clock.seconds_until(str(payment["challenge_expires_at"]))


def timeout_delay(payment: dict[str, Any]) -> int:
    """The SQS delay of a new challenge's timeout message: until its expiry, at most SQS's 900 s."""
    return min(_seconds_left(payment), 900)
