"""The benchmarks' arithmetic that is not a measurement: DynamoDB read units by table (cost.read_units),
units summed by table, and the routing section's differences (lifecycles)."""

from __future__ import annotations

from typing import Any

from benchmarks import cost, lifecycles


def _item(size: int) -> dict[str, Any]:
    return {"pk": {"S": "x" * (size - 2)}}  # "pk" is 2 bytes of the item's size


def test_read_units_follow_dynamodb_rules_per_table() -> None:
    # Given a consistent GetItem of a 5 KB item, an eventually consistent Query and a missing item
    assert cost.read_units("GetItem", {"TableName": "t", "ConsistentRead": True}, {"Item": _item(5000)}) == [
        ("t", 2.0)
    ]
    assert cost.read_units("Query", {"TableName": "q"}, {"Items": [_item(100), _item(100)]}) == [("q", 0.5)]
    assert cost.read_units("GetItem", {"TableName": "t"}, {}) == [("t", 0.5)]
    # BatchGetItem takes ConsistentRead per table (there is none at the top), one unit per item
    params = {"RequestItems": {"a": {"Keys": [], "ConsistentRead": True}, "b": {"Keys": []}}}
    parsed = {"Responses": {"a": [_item(10), _item(10)], "b": [_item(10)]}}
    assert cost.read_units("BatchGetItem", params, parsed) == [("a", 1.0), ("a", 1.0), ("b", 0.5)]
    # a transactional read is two units, each item on its own table
    params = {"TransactItems": [{"Get": {"TableName": "a"}}, {"Get": {"TableName": "b"}}]}
    parsed = {"Responses": [{"Item": _item(10)}, {"Item": _item(5000)}]}
    assert cost.read_units("TransactGetItems", params, parsed) == [("a", 2.0), ("b", 4.0)]
    assert cost.read_units("PutItem", {"TableName": "t"}, {}) == []


def test_units_by_table_drop_the_namespace_and_sort_largest_first() -> None:
    entries = [("paygate-vault", "Query", 1.0), ("paygate-payments", "GetItem", 1.5)]
    entries.append(("paygate-payments", "GetItem", 1.0))
    assert cost.units_by_table(entries) == {"payments GetItem": 2.5, "vault Query": 1.0}


def test_a_cell_shows_the_difference_only_when_there_is_one() -> None:
    assert lifecycles.cell(105, 88) == "105 (+17)"
    assert lifecycles.cell(100.69, 100.29, 2) == "100.69 (+0.40)"
    assert lifecycles.cell(526, 556) == "526 (-30)"
    assert lifecycles.cell(3, 3) == "3"
    assert lifecycles.cell(1234, None) == "1,234"


def test_changed_keeps_the_rows_where_the_lifecycles_differ() -> None:
    rows = {"b op": [1, 1, 1], "a op": [0, 1, 2], "c op": [2, 2, 3]}
    assert lifecycles.changed(rows) == {"a op": [0, 1, 2], "c op": [2, 2, 3]}


def test_the_section_compares_a_with_issue_16_and_b_c_with_a() -> None:
    def run(calls: int, kms: float, usd: float, per_s: float) -> tuple[dict[str, Any], dict[str, Any]]:
        usage = {
            "kms_request": kms,
            "lambda_request": 18,
            "dynamodb_write_request_unit": 75.0,
            "dynamodb_read_request_unit": 34.5,
            "sqs_request": 41,
        }
        measured = {
            "aws_calls": calls,
            "usage_per_lifecycle": usage,
            "usd_per_million_total": usd,
            "calls_by_function": {"AttemptPayment kms:Decrypt": kms, "CreateOrder dynamodb:PutItem": 1},
            "read_units_by_table": {"payments GetItem": 4.0},
            "write_units_by_table": {"payments table": 24.0},
            "durations_ms": {"AttemptPayment": [100.0]},
        }
        binding = {"quota": "lambda_concurrency", "per_lifecycle": 1.8, "use": "concurrency-seconds"}
        analysed = {
            "lifecycles_per_s": per_s,
            "merchant_lifecycles_per_s": 143,
            "binding": binding,
            "merchant_binding": {"use": "WCU on webhooks gsi1"},
            "usd_per_million_by_service": {"KMS": kms * 3, "Lambda": 15.6},
        }
        return measured, analysed

    runs = {
        "upi": run(88, 0, 100.69, 556),
        "card": run(90, 1, 104.0, 556),
        "routed": run(109, 4, 137.35, 435),
    }
    text = "\n".join(lifecycles.report(runs, "today"))
    assert "| gateway AWS calls | 89 | 88 (-1) | 90 (+2) | 109 (+21) |" in text
    assert (
        "| of which the payment and refund path's (" in text and "| 11 | 1 (-10) | 2 (+1) | 5 (+4) |" in text
    )
    assert (
        "| USD per million lifecycles | 100.29 | 100.69 (+0.40) | 104.00 (+3.31) | 137.35 (+36.66) |" in text
    )
    assert "| region, lifecycles/s at default quotas | 526 | 556 (+30) | 556 | 435 (-121) |" in text
    assert "| `AttemptPayment kms:Decrypt` | 0 | 1 | 4 |" in text
    assert "CreateOrder dynamodb:PutItem" not in text  # the same in all three
    assert "| KMS | 0.00 | 3.00 | 12.00 |" in text
