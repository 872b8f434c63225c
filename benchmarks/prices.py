"""AWS list prices the cost model (cost.py) uses: the one table, with where each comes from.

Region us-east-1 (US East, N. Virginia), on-demand, no free tier. Read 2025 from the AWS pricing
pages below; this machine has no internet access, so they could not be re-read on the day of the
run: they are the list prices as published on the AWS pricing pages as of mid-2025 (DynamoDB's
on-demand prices after the 50 % cut of 1 November 2024).
"""

from __future__ import annotations

REGION = "us-east-1"
READ_ON = "list prices as published on the AWS pricing pages, as of mid-2025 (not re-read: no internet here)"

# name: (USD, per unit, source)
PRICES: dict[str, tuple[float, str, str]] = {
    "lambda_request": (0.20 / 1e6, "request", "https://aws.amazon.com/lambda/pricing/"),
    "lambda_gb_second_arm64": (
        0.0000133334,
        "GB-second (arm64, first 7.5 billion GB-s/month)",
        "https://aws.amazon.com/lambda/pricing/",
    ),
    "apigateway_rest_request": (
        3.50 / 1e6,
        "REST API request (first 333 million/month)",
        "https://aws.amazon.com/api-gateway/pricing/",
    ),
    "dynamodb_write_request_unit": (
        0.625 / 1e6,
        "on-demand write request unit",
        "https://aws.amazon.com/dynamodb/pricing/on-demand/",
    ),
    "dynamodb_read_request_unit": (
        0.125 / 1e6,
        "on-demand read request unit",
        "https://aws.amazon.com/dynamodb/pricing/on-demand/",
    ),
    "stepfunctions_state_transition": (
        0.025 / 1000,
        "Standard workflow state transition",
        "https://aws.amazon.com/step-functions/pricing/",
    ),
    "sqs_request": (
        0.40 / 1e6,
        "standard queue request (64 KB chunk)",
        "https://aws.amazon.com/sqs/pricing/",
    ),
    "eventbridge_event": (
        1.00 / 1e6,
        "custom event published (64 KB chunk)",
        "https://aws.amazon.com/eventbridge/pricing/",
    ),
    # Encrypt, Decrypt and GenerateDataKey on a symmetric key (the vault's and the connectors' keys).
    # Each key also costs USD 1 per month (and 1 more per rotated backing key): a fixed cost, not per
    # lifecycle, so out of the model. Read 2026-12 from the pricing page (via a search index).
    "kms_request": (
        0.03 / 10_000,
        "symmetric key request (Encrypt, Decrypt, GenerateDataKey; after 20,000 free a month)",
        "https://aws.amazon.com/kms/pricing/",
    ),
}


def price(name: str) -> float:
    return PRICES[name][0]
