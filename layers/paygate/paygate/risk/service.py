"""The Risk context's use cases: assess a payment (count it, read the lists and rules, score it, decide,
keep the assessment), record its outcome (decline counters), and the merchant's rules and lists
(``/api/v1/risk``). docs/risk.md says what is decided and what it costs.

The payment path calls ``assess`` once per payment (idempotent per payment id) and ``record_outcome``
once it knows whether the payment was declined.
"""

from __future__ import annotations

import ipaddress
import json
import re
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from paygate.core import clock
from paygate.core.errors import BadRequest, Conflict, NotFound
from paygate.core.ids import new_id
from paygate.core.observability import logger
from paygate.merchants.models import Principal
from paygate.risk import evaluate, store
from paygate.risk.evaluate import ListHits, ScoreInputs
from paygate.risk.models import (
    Assessment,
    DryRunAnswer,
    DryRunIn,
    DryRunMatch,
    ListEntry,
    ListEntryIn,
    ListEntryList,
    ListEntryRef,
    Rule,
    RuleIn,
    RuleList,
    level,
    parse_patch,
    parse_rule,
)

VELOCITY_KEYS = ("card_fingerprint", "ip", "email", "vpa", "customer")
MAX_RULES = 100
MIN_PAYMENTS_FOR_USUAL = 10
_OBJECT_ID = re.compile(r"^[A-Za-z0-9_]{1,64}$")


@dataclass(frozen=True)
class RiskFacts:
    """What a payment is assessed on (the lead's payment path builds it)."""

    merchant_id: str
    mode: str
    payment_id: str
    amount: int
    currency: str
    method: str
    card_bin: str | None = None
    card_network: str | None = None
    card_country: str | None = None
    card_fingerprint: str | None = None
    email: str | None = None
    ip: str | None = None
    ip_country: str | None = None
    vpa: str | None = None
    customer: str | None = None
    merchant_category: str | None = None

    def rule_facts(self) -> dict[str, Any]:
        """The facts rules compare, normalised as rule values are; the absent ones left out."""
        facts = {k: v for k, v in asdict(self).items() if v is not None}
        for name in ("merchant_id", "mode", "payment_id", "ip_country"):
            facts.pop(name, None)
        for name in ("email", "vpa", "method", "card_network"):
            if name in facts:
                facts[name] = str(facts[name]).lower()
        if "card_country" in facts:
            facts["card_country"] = str(facts["card_country"]).upper()
        return facts


# --- the payment path -------------------------------------------------------------------------------


def assess(facts: RiskFacts) -> Assessment:
    """Count the attempt, evaluate lists, rules and score, and keep the assessment (with the facts and
    counters it was made on, for dry runs). A second call for the same payment answers the first."""
    found = store.assessment(facts.merchant_id, facts.mode, facts.payment_id)
    if found is not None:
        return Assessment.model_validate(found["assessment"])
    now = clock.now()
    rule_facts = facts.rule_facts()
    counters, streaks = _count_attempt(facts, rule_facts, now)
    hits = _list_hits(facts, rule_facts)
    total, signals = evaluate.score(_score_inputs(facts, counters, streaks, hits, now))
    rule_facts["score"] = total
    rules = _rules(facts.merchant_id, facts.mode)
    decided = evaluate.decide(rules, rule_facts, counters, hits)
    assessment = Assessment(
        action=decided.action,
        rule=decided.rule,
        list_entry=decided.list_entry,
        score=total,
        level=level(total),
        signals=signals,
        assessed_at=clock.iso(now),
    )
    record = {"assessment": assessment.model_dump(mode="json"), "facts": rule_facts, "counters": counters}
    if not store.put_assessment(facts.merchant_id, facts.mode, facts.payment_id, record, now):
        # a concurrent assessment of the same payment was kept first: it is the answer
        first = store.assessment(facts.merchant_id, facts.mode, facts.payment_id)
        if first is not None:
            return Assessment.model_validate(first["assessment"])
    logger.info(
        "risk assessed",
        extra={"payment_id": facts.payment_id, "action": assessment.action, "score": assessment.score},
    )
    return assessment


PERSONAL_FACTS = ("email", "ip", "ip_country", "vpa", "customer")


def erase_payment(merchant_id: str, mode: str, payment_id: str) -> bool:
    """A payment's assessment keeps no personal fact once its customer is erased (the Payments side of
    an erasure calls this per payment, docs/privacy.md): the facts a dry run replays lose the e-mail,
    IP, VPA and customer; the decision, score and counters stay. True if there was one to erase."""
    found = store.assessment(merchant_id, mode, payment_id)
    if found is None:
        return False
    facts = {**found.get("facts", {}), **{name: None for name in PERSONAL_FACTS}}
    record = {"assessment": found["assessment"], "facts": facts, "counters": found.get("counters", {})}
    store.replace_record(merchant_id, mode, payment_id, record)
    return True


def record_outcome(facts: RiskFacts, declined: bool) -> None:
    """Count a decline (or end the declines in a row) for each key of the payment, once per payment;
    a success also joins the merchant's usual amount in its currency."""
    outcome = "declined" if declined else "succeeded"
    if not store.mark_outcome(facts.merchant_id, facts.mode, facts.payment_id, outcome):
        return  # counted already (a retry), or never assessed
    now = clock.now()
    rule_facts = facts.rule_facts()
    for key in VELOCITY_KEYS:
        if key in rule_facts:
            store.count(
                facts.merchant_id,
                facts.mode,
                key,
                str(rule_facts[key]),
                now,
                attempt=False,
                declined=declined,
            )
    if not declined:
        store.add_usual(facts.merchant_id, facts.mode, facts.currency, facts.amount)


def _count_attempt(
    facts: RiskFacts, rule_facts: dict[str, Any], now: datetime
) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
    counters: dict[str, int] = {}
    found: dict[str, dict[str, int]] = {}
    for key in VELOCITY_KEYS:
        if key not in rule_facts:
            continue
        counted = store.count(facts.merchant_id, facts.mode, key, str(rule_facts[key]), now, attempt=True)
        found[key] = counted
        counters.update({f"{key}.{name}": value for name, value in counted.items() if name != "streak"})
    return counters, found


def _list_hits(facts: RiskFacts, rule_facts: dict[str, Any]) -> ListHits:
    pairs: list[tuple[str, str]] = []
    for name in ("card_fingerprint", "email", "ip", "vpa"):
        if name in rule_facts:
            pairs.append((name, str(rule_facts[name])))
    bin_ = rule_facts.get("card_bin")
    if isinstance(bin_, str):
        pairs += [("card_bin", bin_[:length]) for length in (6, 7, 8) if len(bin_) >= length]
    for country in (rule_facts.get("card_country"), (facts.ip_country or "").upper() or None):
        if country:
            pairs.append(("country", str(country)))
    canonical = _canonical_email(str(rule_facts["email"])) if "email" in rule_facts else None
    if canonical is not None:
        pairs.append(("email_canonical", canonical))
    found = store.claims(facts.merchant_id, facts.mode, pairs)
    if "ip" in rule_facts:
        found += _cidr_hits(facts, str(rule_facts["ip"]))
    allow = block = near = None
    for entry in found:
        ref = ListEntryRef(id=entry["id"], list=entry["list"], type=entry["type"], value=entry["value"])
        if entry["matched_type"] == "email_canonical":
            near = near or (ref if entry["list"] == "block" else None)
        elif entry["list"] == "allow":
            allow = allow or ref
        else:
            block = block or ref
    if near is not None and block is not None and block.id == near.id:
        near = None  # the exact value is on the list: a hit, not a near miss
    return ListHits(allow=allow, block=block, near_miss=near)


def _cidr_hits(facts: RiskFacts, ip: str) -> list[dict[str, Any]]:
    address = ipaddress.ip_address(ip)
    hits = []
    for entry in store.cidr_entries(facts.merchant_id, facts.mode):
        network = ipaddress.ip_network(entry["value"])
        if address.version == network.version and address in network:
            hits.append({**entry, "matched_type": "ip", "matched_value": ip})
    return hits


def _canonical_email(email: str) -> str | None:
    """``j.o.hn+shop@gmail.com`` -> ``john@gmail.com``: the forms one mailbox hides behind (a near miss)."""
    local, _, domain = email.lower().partition("@")
    if not domain:
        return None
    return f"{local.split('+', 1)[0].replace('.', '')}@{domain}"


def _score_inputs(
    facts: RiskFacts,
    counters: dict[str, int],
    streaks: dict[str, dict[str, int]],
    hits: ListHits,
    now: datetime,
) -> ScoreInputs:
    n, total = store.usual_amount(facts.merchant_id, facts.mode, facts.currency)
    usual = total // n if n >= MIN_PAYMENTS_FOR_USUAL and total > 0 else None
    age_days: int | None = None
    new_card = False
    if facts.customer and facts.card_fingerprint:
        first_seen, seen = store.see_card(
            facts.merchant_id, facts.mode, facts.customer, facts.card_fingerprint, clock.iso(now)
        )
        age_days = (now - clock.parse(first_seen)).days
        new_card = not seen
    return ScoreInputs(
        card_hour_attempts=counters.get("card_fingerprint.hour.attempts"),
        ip_hour_attempts=counters.get("ip.hour.attempts"),
        card_declines_in_row=streaks.get("card_fingerprint", {}).get("streak"),
        ip_declines_in_row=streaks.get("ip", {}).get("streak"),
        card_country=(facts.card_country or "").upper() or None,
        ip_country=(facts.ip_country or "").upper() or None,
        amount=facts.amount,
        currency=facts.currency,
        usual_amount=usual,
        customer_age_days=age_days,
        card_new_for_customer=new_card,
        near_miss=hits.near_miss,
    )


# --- rules --------------------------------------------------------------------------------------------


def _rules(merchant_id: str, mode: str) -> list[Rule]:
    """The defaults (with the merchant's overrides), then the merchant's rules oldest first."""
    overrides: dict[str, bool] = {}
    own: list[Rule] = []
    for item in store.rules(merchant_id, mode):
        if item["sk"] in evaluate.DEFAULT_RULES:
            overrides[item["sk"]] = bool(json.loads(item["rule"]).get("enabled", True))
        else:
            own.append(_rule_of(item, mode))
    return evaluate.default_rules(mode, overrides) + own


def _rule_of(item: dict[str, Any], mode: str) -> Rule:
    return Rule(**json.loads(item["rule"]), id=item["sk"], mode=mode, version=item["version"])  # type: ignore[arg-type]


def list_rules(principal: Principal) -> RuleList:
    rules = _rules(principal.merchant_id, principal.mode)
    return RuleList(items=rules, count=len(rules))


def create_rule(principal: Principal, body: RuleIn) -> Rule:
    current = store.rules(principal.merchant_id, principal.mode)
    if len([i for i in current if i["sk"] not in evaluate.DEFAULT_RULES]) >= MAX_RULES:
        raise BadRequest(f"at most {MAX_RULES} rules per mode; delete one first", "body")
    rule_id = new_id("rule")
    now = clock.iso_now()
    data = {**body.model_dump(mode="json"), "created_at": now, "updated_at": now}
    if not store.put_rule(principal.merchant_id, principal.mode, rule_id, data, 0):
        raise Conflict("the rule was created meanwhile", "body")
    return Rule(**data, id=rule_id, mode=principal.mode, version=1)


def _known_shape(object_id: str, field: str, what: str) -> None:
    """404 for an id that cannot be one (no key of the table is built from it: a 2 KB id is no 500)."""
    if not _OBJECT_ID.match(object_id):
        raise NotFound(f"no {what} {object_id[:64]}", field)


def get_rule(principal: Principal, rule_id: str) -> Rule:
    _known_shape(rule_id, "rule_id", "risk rule")
    for rule in _rules(principal.merchant_id, principal.mode):
        if rule.id == rule_id:
            return rule
    raise NotFound(f"no risk rule {rule_id}", "rule_id")


def update_rule(principal: Principal, rule_id: str, body: dict[str, Any]) -> Rule:
    _known_shape(rule_id, "rule_id", "risk rule")
    patch = parse_patch(body)
    cleared = next((name for name, value in body.items() if value is None), None)
    if cleared is not None:
        raise BadRequest(f"{cleared} cannot be null: leave it out to keep it", cleared)
    if rule_id in evaluate.DEFAULT_RULES:
        given = patch.model_dump(exclude_unset=True)
        other = next((name for name in given if name != "enabled"), None)
        if other is not None:
            raise BadRequest("a default rule can only be enabled or disabled", other)
        found = store.rule(principal.merchant_id, principal.mode, rule_id)
        version = found["version"] if found else 0
        if "enabled" in given and not store.put_rule(
            principal.merchant_id, principal.mode, rule_id, {"enabled": given["enabled"]}, version
        ):
            raise Conflict("the rule changed meanwhile: read it again", "rule_id")
        return get_rule(principal, rule_id)
    found = store.rule(principal.merchant_id, principal.mode, rule_id)
    if found is None:
        raise NotFound(f"no risk rule {rule_id}", "rule_id")
    stored = json.loads(found["rule"])
    merged = {
        **{name: stored[name] for name in ("name", "action", "conditions", "enabled")},
        **patch.model_dump(mode="json", exclude_unset=True),
    }
    rule = parse_rule(merged)
    data = {
        **rule.model_dump(mode="json"),
        "created_at": stored.get("created_at"),
        "updated_at": clock.iso_now(),
    }
    if not store.put_rule(principal.merchant_id, principal.mode, rule_id, data, found["version"]):
        raise Conflict("the rule changed meanwhile: read it again", "rule_id")
    return Rule(**data, id=rule_id, mode=principal.mode, version=found["version"] + 1)


def delete_rule(principal: Principal, rule_id: str) -> Rule:
    _known_shape(rule_id, "rule_id", "risk rule")
    if rule_id in evaluate.DEFAULT_RULES:
        raise BadRequest("a default rule cannot be deleted; disable it (PATCH enabled: false)", "rule_id")
    found = store.rule(principal.merchant_id, principal.mode, rule_id)
    if found is None:
        raise NotFound(f"no risk rule {rule_id}", "rule_id")
    if not store.delete_rule(principal.merchant_id, principal.mode, rule_id, found["version"]):
        raise Conflict("the rule changed meanwhile: read it again", "rule_id")
    return _rule_of(found, principal.mode)


def dry_run(principal: Principal, body: DryRunIn) -> DryRunAnswer:
    """Which of the merchant's last ``body.last`` assessed payments (this mode) the rule would have
    matched, and the facts and counters that made it match. Nothing is written."""
    try:
        rule_in = parse_rule(body.rule)
    except BadRequest as exc:
        raise BadRequest(exc.description, f"rule.{exc.field}" if exc.field != "body" else "rule") from None
    rule = Rule(**rule_in.model_dump(), id="dry_run", mode=principal.mode)  # type: ignore[arg-type]
    assessed = store.last_assessments(principal.merchant_id, principal.mode, body.last)
    matches = []
    for record in assessed:
        made = rule.matches(record["facts"], record["counters"])
        if made is not None:
            matches.append(
                DryRunMatch(
                    payment_id=record["payment_id"],
                    assessed_at=record["assessment"]["assessed_at"],
                    action=record["assessment"]["action"],
                    facts=made,
                )
            )
    return DryRunAnswer(rule=rule_in, assessed=len(assessed), matched=len(matches), matches=matches)


# --- lists --------------------------------------------------------------------------------------------


def create_entry(principal: Principal, body: ListEntryIn) -> ListEntry:
    entry = ListEntry(**body.model_dump(), id=new_id("rle"), mode=principal.mode, created_at=clock.iso_now())  # type: ignore[arg-type]
    item = {
        **entry.model_dump(mode="json"),
        "merchant_id": principal.merchant_id,
        "cidr": entry.is_cidr() or None,
    }
    if store.create_entry(item, _near_miss_key(entry)) is not None:
        raise Conflict(f"this {entry.type} is already on a list of this mode", "value")
    return entry


def list_entries(principal: Principal, limit: int, offset: int) -> ListEntryList:
    page = store.entries(principal.merchant_id, principal.mode, limit, offset)
    items = [_entry_of(item) for item in page.items]
    return ListEntryList(items=items, count=len(items), has_more=page.has_more)


def delete_entry(principal: Principal, entry_id: str) -> ListEntry:
    _known_shape(entry_id, "entry_id", "list entry")
    found = store.entry(principal.merchant_id, principal.mode, entry_id)
    if found is None:
        raise NotFound(f"no list entry {entry_id}", "entry_id")
    entry = _entry_of(found)
    if not store.delete_entry(found, _near_miss_key(entry)):
        raise NotFound(f"no list entry {entry_id}", "entry_id")
    return entry


def _entry_of(item: dict[str, Any]) -> ListEntry:
    return ListEntry.model_validate({name: item[name] for name in ListEntry.model_fields if name in item})


def _near_miss_key(entry: ListEntryIn) -> str | None:
    if entry.list == "block" and entry.type == "email":
        return _canonical_email(entry.value)
    return None
