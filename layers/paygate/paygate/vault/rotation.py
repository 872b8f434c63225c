"""Key rotation: a new key version per key ring of a scope, then every card re-encrypted under it.

A run of a scope (all rings, one merchant, one mode, or one merchant's mode) is one progress item
(``pk = ROTATION``, ``sk = <merchant or *>#<mode or *>``) that goes ``bumping`` (each ring of the scope
gets version n+1, marked with the run id so a resumed run never bumps twice) -> ``cards`` (a scan of the
scope's CARD items, page by page; the cursor and the counts move on after each page, conditioned on the
cursor read) -> ``done``. A run that stops (its time is up, or it was killed) is continued by the next
invocation from its cursor; a page cut in the middle is scanned again, and its cards already re-encrypted
count as already current (each card's update is conditioned on the version and nonce it read, so nothing
is re-encrypted twice and a concurrent write or rotation never loses a card). Invoked when a run is
``done``, it starts the next run (version n+2...); invoked with that run's id, it runs it again: a
check of every card that re-encrypts only what is still under an older version (nothing, after a
finished run: running a rotation twice changes nothing the second time).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from paygate.core import clock
from paygate.core.errors import BadRequest
from paygate.core.ids import new_id
from paygate.core.observability import logger
from paygate.vault import envelope, inside, keyring, store
from paygate.vault.envelope import CardUnreadable

PAGE_ITEMS = 100  # items read per scan page (before the filter): a page's work is well under a minute
STOP_BEFORE_MS = 30_000  # a Lambda stops taking pages this long before its timeout


@dataclass
class Counts:
    key_rings: int = 0
    cards_scanned: int = 0
    re_encrypted: int = 0
    already_current: int = 0
    failed: int = 0


def scope_of(merchant_id: str | None, mode: str | None) -> str:
    return f"{merchant_id or '*'}#{mode or '*'}"


def rotate(
    merchant_id: str | None = None,
    mode: str | None = None,
    *,
    has_time: Callable[[], bool] = lambda: True,
    page_items: int = PAGE_ITEMS,
    run_id: str | None = None,
) -> dict[str, Any]:
    """Start or continue the scope's run; answers the run's counts so far, ``done`` and ``run_id``.
    With ``run_id``: continue that run, or, when it is done, run it again (``again``): every card is
    checked against the run's version and only a card still under an older one is re-encrypted (a
    second run of a finished rotation changes nothing)."""
    scope = scope_of(merchant_id, mode)
    if run_id is not None:
        found = store.progress(scope)
        if found is None or found["run_id"] != run_id:
            raise BadRequest(f"{run_id} is not the last rotation run of scope {scope}", "run_id")
        if found["status"] == "done":
            return _again(found, merchant_id, mode, has_time, page_items)
    run = _current_run(scope)
    while run["status"] != "done":
        if not has_time():
            return _answer(run)
        if run["status"] == "bumping":
            sets: dict[str, Any] = {"status": "cards", "cursor": ""}
            moved = store.advance_run(
                scope,
                run["run_id"],
                ("bumping", ""),
                sets,
                {"key_rings": _bump(run["run_id"], merchant_id, mode)},
            )
        else:
            cursor = json.loads(run["cursor"]) if run["cursor"] else None
            items, after = store.scan_page(store.CARD, merchant_id, mode, cursor, page_items)
            counts = _rotate_cards(items, {})
            sets = {"cursor": json.dumps(after) if after else "", "status": "cards" if after else "done"}
            if not after:
                sets["finished_at"] = clock.iso_now()
            add = {k: v for k, v in asdict(counts).items() if v}
            moved = store.advance_run(scope, run["run_id"], ("cards", run["cursor"]), sets, add)
        run = moved or _read(scope)  # None: a concurrent run of the scope moved it on; continue from there
    return _answer(run)


def _again(
    run: dict[str, Any],
    merchant_id: str | None,
    mode: str | None,
    has_time: Callable[[], bool],
    page_items: int,
) -> dict[str, Any]:
    """A finished run run again: every card of the scope checked, nothing kept (no version is added)."""
    counts, cursor, rings = Counts(), None, {}
    while True:
        if not has_time():
            return {"run_id": run["run_id"], "done": False, "again": True, **asdict(counts)}
        items, cursor = store.scan_page(store.CARD, merchant_id, mode, cursor, page_items)
        page = _rotate_cards(items, rings)
        for name, value in asdict(page).items():
            setattr(counts, name, getattr(counts, name) + value)
        if not cursor:
            return {"run_id": run["run_id"], "done": True, "again": True, **asdict(counts)}


def _current_run(scope: str) -> dict[str, Any]:
    """The scope's unfinished run, or a new one (of two starting at once, one is created)."""
    for _ in range(3):
        found = store.progress(scope)
        if found is not None and found["status"] != "done":
            return found
        item = {
            "pk": store.ROTATION,
            "sk": scope,
            "run_id": new_id("rot"),
            "status": "bumping",
            "cursor": "",
            **asdict(Counts()),
            "started_at": clock.iso_now(),
        }
        if store.start_run(item, found["run_id"] if found else None):
            return item
    raise RuntimeError(f"rotation {scope}: could not start or find a run")


def _read(scope: str) -> dict[str, Any]:
    found = store.progress(scope)
    if found is None:
        raise RuntimeError(f"rotation {scope}: its progress item is gone")
    return found


def _bump(run_id: str, merchant_id: str | None, mode: str | None) -> int:
    """Version n+1 for each ring of the scope not yet bumped by this run; the number of rings."""
    count = 0
    for current in list(store.rings(merchant_id, mode)):
        for _ in range(5):
            if current.get("rotation_run") == run_id or keyring.add_version(current, run_id) is not None:
                break
            current = store.ring_current(current["merchant_id"], current["mode"]) or current
        else:
            raise RuntimeError(f"key ring {current['merchant_id']}#{current['mode']} kept moving")
        count += 1
    return count


def _rotate_cards(items: list[dict[str, Any]], rings: dict[tuple[str, str], dict[str, Any]]) -> Counts:
    counts = Counts()
    for item in items:
        counts.cards_scanned += 1
        owner = (item["merchant_id"], item["mode"])
        if owner not in rings:
            rings[owner] = keyring.ring(*owner)
        current = rings[owner]
        if item.get("key_version") == current["key_version"]:
            counts.already_current += 1
            continue
        try:
            outcome = rotate_card(item["token"], current)
        except CardUnreadable:
            logger.error("vault rotation: a card does not decrypt", extra={"card_token": item["token"]})
            outcome = "failed"
        setattr(counts, outcome, getattr(counts, outcome) + 1)
    return counts


def rotate_card(token: str, current: dict[str, Any]) -> str:
    """The card's items re-sealed under the ring's current version: ``re_encrypted``, ``already_current``
    (another run or a fresh write got there first) or ``failed`` (it moved to another version meanwhile);
    a card destroyed meanwhile counts as already current (nothing of it is under an old version)."""
    merchant_id, mode = current["merchant_id"], current["mode"]
    key = keyring.current_key(current, token)
    items = store.items_of(token)
    card = items.get(store.CARD)
    if card is None or card.get("key_version") == key.version:
        return "already_current"
    # the CVC first: a scheme 1 CVC is opened with the card's own data key, which the card's update removes
    for sk in (store.CVC, store.CARD):
        item = items.get(sk)
        if item is None or item.get("key_version") == key.version:
            continue
        plaintext = inside.open_item(item, sk, token, merchant_id, mode)
        aad = envelope.associated_data(sk, token, merchant_id, mode, key.version)
        nonce, ciphertext = envelope.seal(key.plaintext, plaintext, aad)
        sets = {
            "nonce": nonce,
            "ciphertext": ciphertext,
            "key_version": key.version,
            "key_id": key.key_id,
            "scheme": envelope.SCHEME,
            "rotated_at": clock.iso_now(),
        }
        if not store.reencrypt(token, sk, item, sets) and sk == store.CARD:
            # (a CVC deleted by forget_cvc or re-sealed by another run meanwhile reads under its own version)
            now = store.card_item(token)
            return "already_current" if now is None or now.get("key_version") == key.version else "failed"
    return "re_encrypted"


def _answer(run: dict[str, Any]) -> dict[str, Any]:
    counts = {name: int(run.get(name, 0)) for name in asdict(Counts())}
    return {"run_id": run["run_id"], "done": run["status"] == "done", **counts}


def handle_rotate(event: dict[str, Any], remaining_ms: Callable[[], int]) -> dict[str, Any]:
    """RotateVaultKeys: ``{"merchant_id"?, "mode"?}``; stops taking pages ``STOP_BEFORE_MS`` before
    the function's timeout (``done: false``: invoke again)."""
    merchant_id = event.get("merchant_id") or None
    mode = event.get("mode") or None
    if merchant_id is not None and (not isinstance(merchant_id, str) or "#" in merchant_id):
        raise BadRequest("merchant_id must be a merchant id", "merchant_id")
    if mode is not None and mode not in inside.MODES:
        raise BadRequest("mode must be test or live", "mode")
    run_id = event.get("run_id") or None
    if run_id is not None and (not isinstance(run_id, str) or not run_id.startswith("rot_")):
        raise BadRequest("run_id must be a rotation run id (rot_...)", "run_id")
    return rotate(merchant_id, mode, has_time=lambda: remaining_ms() > STOP_BEFORE_MS, run_id=run_id)
