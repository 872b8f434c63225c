"""AWS default regional quotas capacity.py uses: the one table, with where each comes from.

Region us-east-1 (US East, N. Virginia), an account's defaults (new accounts can start lower: Lambda
and Step Functions raise them with use). Like prices.py, read from the AWS quotas pages below as of
mid-2025; this machine has no internet access, so they could not be re-read on the day of the run.
"""

from __future__ import annotations

REGION = "us-east-1"
READ_ON = (
    "default quotas as published on the AWS docs quotas pages, as of mid-2025 (not re-read: no internet here)"
)

_SFN = "https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html"
_DDB = "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html"

# name: (per second, what, source)
QUOTAS: dict[str, tuple[float, str, str]] = {
    "stepfunctions_start_execution": (
        300,
        "StartExecution refill rate per second (bucket 1,300; 150/s, bucket 800, outside us-east-1,"
        " us-west-2, eu-west-1)",
        _SFN + "#service-limits-api-action-throttling-general",
    ),
    "stepfunctions_state_transition": (
        5000,
        "Standard state transitions per second (refill; bucket 5,000; 800/s outside us-east-1, us-west-2,"
        " eu-west-1)",
        _SFN + "#service-limits-api-state-throttling",
    ),
    "lambda_concurrency": (
        1000,
        "concurrent executions per region (shared by every function; each function scales by"
        " 1,000 environments per 10 s)",
        "https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html",
    ),
    "apigateway_requests": (
        10000,
        "REST API requests per second per account and region (burst 5,000)",
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html",
    ),
    "eventbridge_put_events": (
        10000,
        "PutEvents requests per second (2,400 in us-east-2 and others, 1,200 in smaller regions)",
        "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html",
    ),
    "eventbridge_invocations": (
        18750,
        "rule target invocations per second (an event matched by a rule and sent to its target)",
        "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html",
    ),
    "sqs_standard": (
        float("inf"),
        "standard queues: a nearly unlimited number of API calls per second per action (fair queues too)",
        "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/standard-queues.html",
    ),
    "dynamodb_partition_wcu": (
        1000,
        "write units per second on one partition (one partition key value takes one partition; 3,000"
        " read units)",
        "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html",
    ),
    "kms_symmetric_requests": (
        100_000,
        "symmetric cryptographic operations per second, shared by Decrypt, Encrypt, GenerateDataKey and"
        " the others on every symmetric key of the account (10,000 in most regions, 20,000 in six, 100,000"
        " in us-east-1, us-west-2, eu-west-1; read 2026-12 via a search index)",
        "https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html",
    ),
    "dynamodb_table_wru": (
        40000,
        "on-demand write request units per second per table (and per GSI)",
        _DDB,
    ),
}


def quota(name: str) -> float:
    return QUOTAS[name][0]
