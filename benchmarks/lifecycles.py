"""The "routing" section of RESULTS.md: the three lifecycles of cost.LIFECYCLES side by side, and what
the vault (b) and routing to a provider (c) add to the UPI lifecycle (a), which is itself compared with
its figures from issue 16, before the vault and routing were in the payment path (ISSUE_16).

Only tables here; capacity.py measures and analyses each lifecycle and passes both in.
"""

from __future__ import annotations

from typing import Any

# The UPI lifecycle as issue 16 last measured it (benchmarks/RESULTS.md "capacity" section and
# docs/benchmarks.md, 2026-12-01, commit 7743447): the figures "before routing" the issue compares with.
# payment_path_calls is not in those pages: it comes from re-running that commit's cost.py (2026-12-01),
# whose calls of the functions below were CreateOrder 2, CreatePayment 3, AttemptPayment 2,
# CreateRefund 3, ProcessRefund 1.
ISSUE_16: dict[str, float] = {
    "aws_calls": 89,
    "payment_path_calls": 11,
    "kms_calls": 0,
    "lambda_invocations": 19,
    "dynamodb_wru": 72,
    "dynamodb_rru": 33,
    "sqs_requests": 43,
    "usd_per_million": 100.29,
    "region_per_s": 526,
    "merchant_per_s": 143,
}
# The functions of the payment and refund path: their calls do not depend on how stream and queue
# batches fall (the webhook path's PutEvents, SendMessageBatch and reads do, by a few calls per run).
PAYMENT_PATH = ("CreateOrder", "CreatePayment", "AttemptPayment", "CreateRefund", "ProcessRefund")
NAMES = {"upi": "a. UPI, no routing", "card": "b. card, no routing", "routed": "c. card routed to Stripe"}


def cell(value: float, base: float | None, digits: int = 0) -> str:
    """A figure with its difference from ``base`` ("105 (+17)"); the figure alone when there is no base
    or no difference."""
    shown = f"{value:,.{digits}f}"
    if base is None:
        return shown
    diff = round(value - base, digits)
    if diff == 0:
        return shown
    return f"{shown} ({diff:+,.{digits}f})"


def changed(rows: dict[str, list[float]]) -> dict[str, list[float]]:
    """The rows whose values are not all equal (what one lifecycle adds or drops), in key order."""
    return {k: v for k, v in sorted(rows.items()) if len(set(v)) > 1}


def figures(measured: dict[str, Any], analysed: dict[str, Any]) -> dict[str, float]:
    """One lifecycle's headline figures, under ISSUE_16's names."""
    usage = measured["usage_per_lifecycle"]
    return {
        "aws_calls": measured["aws_calls"],
        "payment_path_calls": sum(
            n for call, n in measured["calls_by_function"].items() if call.split(" ", 1)[0] in PAYMENT_PATH
        ),
        "kms_calls": usage.get("kms_request", 0),
        "lambda_invocations": usage["lambda_request"],
        "dynamodb_wru": usage["dynamodb_write_request_unit"],
        "dynamodb_rru": usage["dynamodb_read_request_unit"],
        "sqs_requests": usage["sqs_request"],
        "usd_per_million": measured["usd_per_million_total"],
        "region_per_s": analysed["lifecycles_per_s"],
        "merchant_per_s": analysed["merchant_lifecycles_per_s"],
    }


_ROWS = [  # (key, label, digits)
    ("aws_calls", "gateway AWS calls", 0),
    ("payment_path_calls", "of which the payment and refund path's (" + ", ".join(PAYMENT_PATH) + ")", 0),
    ("kms_calls", "KMS requests", 0),
    ("dynamodb_wru", "DynamoDB write units", 1),
    ("dynamodb_rru", "DynamoDB read units", 1),
    ("lambda_invocations", "Lambda invocations", 0),
    ("sqs_requests", "SQS requests", 0),
    ("usd_per_million", "USD per million lifecycles", 2),
    ("region_per_s", "region, lifecycles/s at default quotas", 0),
    ("merchant_per_s", "one merchant and mode, lifecycles/s", 0),
]


def report(runs: dict[str, tuple[dict[str, Any], dict[str, Any]]], when: str) -> list[str]:
    """The section's lines from ``runs``: lifecycle name -> (cost.measure's, capacity.analyse's)."""
    names = [n for n in NAMES if n in runs]
    heads = {n: figures(*runs[n]) for n in names}
    base = heads.get("upi")
    lines = [
        "## Routing in the path: three lifecycles (`benchmarks/capacity.py`, issue 17)",
        "",
        f"Measured {when}, one warm lifecycle each on localcloud (order, payment, success, full refund,"
        " one webhook endpoint subscribed to every event): a. UPI and b. a card without a routing"
        " configuration (the simulator; b seals the card into the vault), c. a card routed by the"
        " merchant's rule to a Stripe configuration on localstripe (a real process), refunded there."
        " In brackets: a's difference from issue 16 (before the vault and routing; RESULTS.md of"
        " 2026-12-01), b's and c's from a.",
        "",
        "| figure | issue 16: UPI | " + " | ".join(NAMES[n] for n in names) + " |",
        "| --- | --- |" + " --- |" * len(names),
    ]
    for key, label, digits in _ROWS:
        row = [f"{ISSUE_16[key]:,.{digits}f}"]
        for n in names:
            against = ISSUE_16[key] if n == "upi" else base[key] if base else None
            row.append(cell(heads[n][key], against, digits))
        lines.append(f"| {label} | " + " | ".join(row) + " |")
    bindings = [
        f"{NAMES[n]}: region {runs[n][1]['binding']['quota']} ({runs[n][1]['binding']['per_lifecycle']:g}"
        f" {runs[n][1]['binding']['use']}), merchant {runs[n][1]['merchant_binding']['use']}"
        for n in names
    ]
    lines += ["", "What binds: " + "; ".join(bindings) + "."]
    calls = _table({n: runs[n][0]["calls_by_function"] for n in names})
    lines += [
        "",
        "Gateway AWS calls by function and operation, where the lifecycles differ (every other"
        " function's calls are the same in all three):",
        "",
        "| function and call | " + " | ".join(NAMES[n] for n in names) + " |",
        "| --- |" + " --- |" * len(names),
        *(
            f"| `{k}` | " + " | ".join(f"{v:g}" for v in values) + " |"
            for k, values in changed(calls).items()
        ),
    ]
    reads = _table({n: runs[n][0]["read_units_by_table"] for n in names})
    writes = _table({n: runs[n][0]["write_units_by_table"] for n in names})
    lines += _grid(
        "DynamoDB units by table (reads by operation, writes by table or index):",
        "units",
        names,
        [
            *(f"| read {k} | " + " | ".join(f"{v:g}" for v in values) + " |" for k, values in reads.items()),
            *(
                f"| write {k} | " + " | ".join(f"{v:g}" for v in values) + " |"
                for k, values in writes.items()
            ),
        ],
    )
    services = _table({n: runs[n][1]["usd_per_million_by_service"] for n in names})
    lines += _grid(
        "USD per million lifecycles by service:",
        "service",
        names,
        [f"| {k} | " + " | ".join(f"{v:.2f}" for v in values) + " |" for k, values in services.items()],
    )
    durations = {n: runs[n][0]["durations_ms"].get("AttemptPayment", []) for n in names}
    lines += [
        "",
        "AttemptPayment's duration measured in localcloud (ms; c includes two HTTP calls to localstripe"
        " on loopback): " + ", ".join(f"{NAMES[n]} {durations[n]}" for n in names) + ". Capacity bills"
        " every invocation at 100 ms (cost.ASSUMED_MS); a provider's real latency is not in it.",
    ]
    return lines


def _table(per_run: dict[str, dict[str, float]]) -> dict[str, list[float]]:
    """Rows keyed by every key of any run, one value per run (0 where a run has none)."""
    keys = sorted({k for values in per_run.values() for k in values})
    return {k: [per_run[n].get(k, 0) for n in per_run] for k in keys}


def _grid(title: str, first: str, names: list[str], rows: list[str]) -> list[str]:
    """A titled markdown table with one column per lifecycle."""
    head = [f"| {first} | " + " | ".join(NAMES[n] for n in names) + " |", "| --- |" + " --- |" * len(names)]
    return ["", title, "", *head, *rows]
