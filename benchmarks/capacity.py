"""A region's capacity: sustained payment lifecycles per second under each default AWS quota.

From the counts of one warm lifecycle on localcloud (cost.py's ``measure``: order -> UPI payment ->
success -> full refund -> processed, one webhook endpoint subscribed to every event), each default
regional quota (quotas.py, sources cited) divided by what one lifecycle takes of it:

- Step Functions: the ``StartExecution`` calls the gateway made, and the state transitions of the
  executions it started;
- Lambda concurrency (Little's law): concurrency-seconds per lifecycle = the sum of its invocations'
  durations, measured here (moto in process) and at ``cost.ASSUMED_MS`` each; the larger is used.
  An event source's ``ScalingConfig.MaximumConcurrency`` (a template setting, not a quota) caps its
  function alone the same way and is reported beside the quotas;
- API Gateway: requests to functions with an Api event (the polling GETs left out);
- EventBridge: the gateway's ``PutEvents`` calls, and rule target invocations (one per entry and
  matching rule target: every event goes to the webhook queue);
- SQS standard: no rate quota;
- DynamoDB: the write units of each partition key, of each table and GSI. A key written by both
  the warm-up and the measured lifecycle is shared between lifecycles (a merchant's listing
  partition, say) and caps them at 1,000 WCU/s; a key only the measured lifecycle wrote belongs to it
  and caps nothing. Keys are shown with their ids replaced by ``<prefix_id>``.

Lifecycles/s under a quota = quota / use per lifecycle; the smallest is the binding one. The cost
table by service comes from the same lifecycle (prices.py). Counts, not constants: re-run after the
architecture changes and the figures follow it.

- KMS: the gateway's symmetric requests (GenerateDataKey, Decrypt, Encrypt), one shared quota.

By default three lifecycles are measured (cost.LIFECYCLES: UPI and card without a routing
configuration, a card routed to Stripe on localstripe): the UPI one writes the "capacity" section as
before, and the three side by side, with the figures of issue 16 before routing (ISSUE_16), write
the "routing" section (what the vault and routing add).

    python benchmarks/capacity.py [--no-write] [--lifecycle all|upi|card|routed]
"""

from __future__ import annotations

import argparse
import datetime
import json
import re
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import cost
import lifecycles
import sections
from lambdas import functions
from quotas import QUOTAS, quota
from quotas import READ_ON as QUOTAS_READ_ON

TARGET_LIFECYCLES_PER_S = 500
TARGET_USD_PER_MILLION = 50
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
_ID = re.compile(r"\b([a-z]{2,8})_[0-9A-Za-z]{14}\b")
_SERVICES = {  # cost-model item -> service, for the table by service
    "lambda_request": "Lambda",
    "lambda_gb_second_arm64": "Lambda",
    "apigateway_rest_request": "API Gateway",
    "dynamodb_write_request_unit": "DynamoDB",
    "dynamodb_read_request_unit": "DynamoDB",
    "stepfunctions_state_transition": "Step Functions",
    "sqs_request": "SQS",
    "eventbridge_event": "EventBridge",
    "kms_request": "KMS",
}


def key_pattern(key: str) -> str:
    """A partition key with its ids as placeholders: MERCHANT#mer_<14> -> MERCHANT#<mer_id>."""
    return _ID.sub(lambda m: f"<{m.group(1)}_id>", key)


def hot_keys(writes: list[list[Any]]) -> list[dict[str, Any]]:
    """Per table and index: the partition key with the most write units in the measured lifecycle."""
    warm = {(t, i, k) for phase, t, i, k, _u in writes if phase == "warm-up"}
    per_key: dict[tuple[str, str, str], float] = {}
    for phase, table, index, key, units in writes:
        if phase == "measured":
            per_key[(table, index, key)] = per_key.get((table, index, key), 0) + units
    rows = []
    for table, index in sorted({(t, i) for t, i, _k in per_key}):
        keys = {k: u for (t, i, k), u in per_key.items() if (t, i) == (table, index)}
        shared = {k: u for k, u in keys.items() if (table, index, k) in warm}
        key, units = max((shared or keys).items(), key=lambda kv: kv[1])
        # a connector configuration (mca_) belongs to one merchant and mode, as a key with its id does
        scope = "merchant" if re.search(r"<(mer|mca)_id>", key_pattern(key)) else "region"
        rows.append(
            {
                "table": table,
                "index": index or "table",
                "scope": scope if key in shared else "lifecycle",
                "key": key_pattern(key),
                "wcu": units,
                "shared": key in shared,
                "table_wru": sum(keys.values()),
                "lifecycles_per_s": quota("dynamodb_partition_wcu") / units if key in shared else None,
            }
        )
    return rows


def breakdown(operations: list[list[Any]]) -> list[dict[str, Any]]:
    """Where the measured lifecycle's write units go: per table, index and kind of write (the
    operation, the item's key with ids as placeholders, an update's attributes), busiest first."""
    rows: dict[tuple[str, str, str], list[float]] = {}
    for phase, table, index, what, units in operations:
        if phase == "measured":
            row = rows.setdefault((table, index or "table", key_pattern(what)), [0, 0.0])
            row[0] += 1
            row[1] += units
    ordered = sorted(rows.items(), key=lambda kv: (-kv[1][1], kv[0]))
    return [{"table": t, "index": i, "what": w, "writes": n, "wru": u} for (t, i, w), (n, u) in ordered]


def analyse(measured: dict[str, Any]) -> dict[str, Any]:
    usage = measured["usage_per_lifecycle"]
    calls = measured["calls_by_operation"]
    durations = measured["durations_ms"]
    invocations = sum(len(d) for d in durations.values())
    measured_s = sum(sum(d) for d in durations.values()) / 1000
    assumed_s = invocations * cost.ASSUMED_MS / 1000
    concurrency_s = assumed_s  # in-process durations carry moto and the GIL, not AWS's round trips
    starts = calls.get("stepfunctions:StartExecution", 0) + calls.get("stepfunctions:StartSyncExecution", 0)
    put_events = calls.get("events:PutEvents", 0)
    dynamo = hot_keys(measured["writes"])

    def per_s(name: str, use: float) -> float | None:
        return quota(name) / use if use else None  # None: the lifecycle does not use it

    limits = [
        ("stepfunctions_start_execution", "StartExecution calls", starts),
        ("stepfunctions_state_transition", "state transitions", usage["stepfunctions_state_transition"]),
        ("lambda_concurrency", "concurrency-seconds", round(concurrency_s, 3)),
        ("apigateway_requests", "API requests", usage["apigateway_rest_request"]),
        ("eventbridge_put_events", "PutEvents calls", put_events),
        ("eventbridge_invocations", "rule target invocations", usage["eventbridge_event"]),
        ("sqs_standard", "SQS requests", usage["sqs_request"]),
        ("kms_symmetric_requests", "KMS requests", usage.get("kms_request", 0)),
    ]
    rows = [
        {"quota": name, "use": what, "per_lifecycle": use, "lifecycles_per_s": per_s(name, use)}
        for name, what, use in limits
    ]
    for hot in dynamo:
        if hot["shared"]:
            rows.append(
                {
                    "scope": hot["scope"],
                    "quota": "dynamodb_partition_wcu",
                    "use": f"WCU on {hot['table']} {hot['index']} {hot['key']}",
                    "per_lifecycle": hot["wcu"],
                    "lifecycles_per_s": hot["lifecycles_per_s"],
                }
            )
    tables: dict[str, float] = {}
    for hot in dynamo:
        tables[hot["table"]] = max(tables.get(hot["table"], 0), hot["table_wru"])
    for table, wru in sorted(tables.items()):
        rows.append(
            {
                "quota": "dynamodb_table_wru",
                "use": f"WRU on {table} (its busiest of table and GSIs)",
                "per_lifecycle": wru,
                "lifecycles_per_s": per_s("dynamodb_table_wru", wru),
            }
        )
    bounded = [r for r in rows if r["lifecycles_per_s"] is not None and r["lifecycles_per_s"] != float("inf")]
    region = [r for r in bounded if r.get("scope", "region") == "region"]
    binding = min(region, key=lambda r: r["lifecycles_per_s"])
    merchant = min(bounded, key=lambda r: r["lifecycles_per_s"])
    caps = []
    for f in functions():  # the template's own caps: MaximumConcurrency of an event source
        for source in f.event_sources.values():
            maximum = (source.get("ScalingConfig") or {}).get("MaximumConcurrency")
            if maximum and f.logical_id in durations:
                n = len(durations[f.logical_id])
                seconds = max(sum(durations[f.logical_id]) / 1000, n * cost.ASSUMED_MS / 1000)  # larger
                caps.append(
                    {
                        "function": f.logical_id,
                        "maximum_concurrency": int(maximum),
                        "concurrency_seconds": round(seconds, 3),
                        "lifecycles_per_s": int(maximum) / seconds,
                    }
                )
    by_service: dict[str, float] = {}
    for item, usd in measured["usd_per_million"].items():
        by_service[_SERVICES.get(item, item)] = by_service.get(_SERVICES.get(item, item), 0) + usd
    return {
        "quotas_read_on": QUOTAS_READ_ON,
        "rows": rows,
        "binding": binding,
        "lifecycles_per_s": binding["lifecycles_per_s"],
        "merchant_binding": merchant,
        "merchant_lifecycles_per_s": merchant["lifecycles_per_s"],
        "template_caps": caps,
        "hot_keys": dynamo,
        "write_breakdown": breakdown(measured.get("operations", [])),
        "concurrency_seconds_measured": round(measured_s, 3),
        "concurrency_seconds_assumed": round(assumed_s, 3),
        "usd_per_million_by_service": {
            k: round(v, 2) for k, v in sorted(by_service.items(), key=lambda kv: -kv[1])
        },
        "usd_per_million_total": measured["usd_per_million_total"],
    }


def _figure(value: float | None) -> str:
    if value is None:
        return "not used"
    if value == float("inf"):
        return "unlimited"
    return f"{value:,.0f}"


def report(measured: dict[str, Any], result: dict[str, Any]) -> list[str]:
    """The RESULTS.md section: targets, quotas, hot keys, template caps, cost by service."""
    per_s, usd = result["lifecycles_per_s"], result["usd_per_million_total"]
    binding = result["binding"]
    caps = result["template_caps"]
    lines = [
        "## Capacity of a region and cost by service (`benchmarks/capacity.py`)",
        "",
        f"One warm lifecycle on localcloud ({measured['refund_status']} refund,"
        f" {measured['webhook_deliveries']} webhook deliveries to one endpoint, {measured['aws_calls']}"
        f" gateway AWS calls), divided into each default quota of {QUOTAS_REGION} ({QUOTAS_READ_ON}).",
        "",
        "| target | measured | |",
        "| --- | --- | --- |",
        f"| >= {TARGET_LIFECYCLES_PER_S} lifecycles/s per region at default quotas | {per_s:,.0f} (binding:"
        f" {binding['quota']}, {binding['per_lifecycle']:g} {binding['use']}) |"
        f" {'met' if per_s >= TARGET_LIFECYCLES_PER_S else '**not met**'} |",
        *(
            [
                f"| with the template's own caps (event source MaximumConcurrency) |"
                f" {min(c['lifecycles_per_s'] for c in caps):,.1f} (binding:"
                f" {min(caps, key=lambda c: c['lifecycles_per_s'])['function']}) | - |"
            ]
            if caps
            else []
        ),
        f"| one merchant and mode (its own partitions too) | {result['merchant_lifecycles_per_s']:,.0f}"
        f" (binding: {result['merchant_binding']['quota']}, {result['merchant_binding']['use']}) | - |",
        f"| <= USD {TARGET_USD_PER_MILLION} per million lifecycles with webhooks | USD {usd:,.2f} |"
        f" {'met' if usd <= TARGET_USD_PER_MILLION else '**not met**'} |",
        "",
        "| quota (default, us-east-1) | per second | one lifecycle uses | lifecycles/s | caps | source |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for row in result["rows"]:
        limit, what, source = QUOTAS[row["quota"]]
        lines.append(
            f"| {what} | {_figure(limit)} | {row['per_lifecycle']:g} {row['use']} |"
            f" {_figure(row['lifecycles_per_s'])} | {row.get('scope', 'region')} | {source} |"
        )
    lines += [
        "",
        f"Lambda concurrency-seconds per lifecycle: {result['concurrency_seconds_assumed']:g} at"
        f" {cost.ASSUMED_MS} ms per invocation (stated, as the cost model bills them; used above);"
        f" {result['concurrency_seconds_measured']:g} measured in localcloud, where every call is moto in"
        " one process under one GIL (not AWS's round trips). A webhook delivery's invocation lasts as long as"
        " the merchant's endpoint takes to answer. Per-function durations measured (ms): "
        + json.dumps(measured["durations_ms"])
        + ".",
        "",
        "DynamoDB, hottest partition key of each table and index in one lifecycle. A key the warm-up"
        " lifecycle wrote too is shared between lifecycles: a merchant's (its id in the key: caps that"
        " merchant and mode, not the region) or the region's (caps every lifecycle):",
        "",
        "| table | index | partition key | WCU per lifecycle | whose | lifecycles/s at 1,000 WCU/s |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for hot in result["hot_keys"]:
        capped = _figure(hot["lifecycles_per_s"]) if hot["shared"] else "no cap (a new key per lifecycle)"
        lines.append(
            f"| {hot['table']} | {hot['index']} | `{hot['key']}` | {hot['wcu']:g} | {hot['scope']}"
            f" | {capped} |"
        )
    lines += [
        "",
        "DynamoDB write request units of one lifecycle by kind of write (a GSI is written only when the"
        " item's entry in it changes: its keys or projected attributes):",
        "",
        "| table | index | write | items written | WRU |",
        "| --- | --- | --- | --- | --- |",
    ]
    for row in result["write_breakdown"]:
        lines.append(
            f"| {row['table']} | {row['index']} | `{row['what']}` | {row['writes']} | {row['wru']:g} |"
        )
    if caps:
        lines += ["", "Caps the template sets itself (not AWS quotas; they bind before any quota):", ""]
        for cap in caps:
            lines.append(
                f"- `{cap['function']}`: event source MaximumConcurrency {cap['maximum_concurrency']},"
                f" {cap['concurrency_seconds']:g} concurrency-seconds per lifecycle ->"
                f" {cap['lifecycles_per_s']:,.1f} lifecycles/s"
            )
    lines += [
        "",
        f"Cost by service, USD per million lifecycles ({measured['region']}; prices.py,"
        f" {measured['prices']}):",
        "",
        "| service | item | per lifecycle | USD / 1M |",
        "| --- | --- | --- | --- |",
    ]
    for service, total in result["usd_per_million_by_service"].items():
        items = [i for i in measured["usage_per_lifecycle"] if _SERVICES.get(i, i) == service]
        for n, item in enumerate(items):
            label = f"**{service}** ({total:.2f})" if n == 0 else ""
            lines.append(
                f"| {label} | {item} | {measured['usage_per_lifecycle'][item]:g} |"
                f" {measured['usd_per_million'][item]:.2f} |"
            )
    lines += [
        f"| **total** | | | **{usd:.2f}** |",
        "",
        f"Lambda GB-s billed at {cost.ASSUMED_MS} ms per invocation; with the measured durations the total is"
        f" {measured['usd_per_million_with_measured_durations']:.2f}. Out of scope: CloudWatch Logs, X-Ray,"
        " CloudFront/S3, data transfer, idle SQS long polls, INIT time, free tiers.",
    ]
    return lines


QUOTAS_REGION = "us-east-1"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    parser.add_argument("--lifecycle", choices=["all", *cost.LIFECYCLES], default="all")
    args = parser.parse_args()
    names = list(cost.LIFECYCLES) if args.lifecycle == "all" else [args.lifecycle]
    runs: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
    for name in names:  # one localcloud each (the routed one configures the seeded merchant)
        measured = cost.measure(name)
        runs[name] = (measured, analyse(measured))
    for name, (measured, result) in runs.items():
        lines = report(measured, result)
        if name != "upi":  # the section's title says which lifecycle this is
            lines[0] += f": {cost.LIFECYCLES[name]}"
        print("\n".join(lines) + "\n")
    if "upi" in runs and not args.no_write:
        sections.replace(RESULTS, "capacity", report(*runs["upi"]))
    if len(runs) > 1:
        when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
        compared = lifecycles.report(runs, when)
        print("\n".join(compared))
        if not args.no_write:
            sections.replace(RESULTS, "routing", compared)
    measured, result = runs.get("upi") or next(iter(runs.values()))
    summary = {k: v for k, v in result.items() if k not in ("rows",)}
    summary["cost"] = {k: v for k, v in measured.items() if k not in ("writes", "operations")}
    summary["lifecycles"] = {name: lifecycles.figures(*run) for name, run in runs.items()}
    print(json.dumps({"benchmark": "capacity", **summary}))
    unsettled = [name for name, (m, _r) in runs.items() if not m["settled"]]
    if unsettled:
        print(f"WARNING: {', '.join(unsettled)} did not settle within 60 s: the figures are partial")
    done = all(m["refund_status"] == "processed" for m, _r in runs.values())
    return 0 if done and not unsettled else 1


if __name__ == "__main__":
    sys.exit(main())
