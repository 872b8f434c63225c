"""``paygate vault rotate``: a new key version per key ring and every card re-encrypted under it, by
invoking the Vault stack's RotateVaultKeys (Lambda Invoke: AWS, LocalStack with ``--endpoint-url``, or
a client made in localcloud's own process) until its run is done (docs/operations.md "Vault key
rotation"). Prints the run's counts as JSON; exit 1 when a card failed or the vault did not answer."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from paygate_cli.options import Commands, add_endpoint_arguments

MAX_INVOCATIONS = 1_000  # each runs up to the function's timeout: a bound, never reached in practice


class RotationFailed(Exception):
    """RotateVaultKeys raised (its error type and message, which name no card data)."""


def rotate(
    lambda_client: Any,
    function: str,
    merchant_id: str | None = None,
    mode: str | None = None,
    run_id: str | None = None,
) -> dict[str, Any]:
    """Invoke ``function`` until its answer says ``done``; the run's counts (the last answer)."""
    event = {"merchant_id": merchant_id, "mode": mode, "run_id": run_id}
    for _ in range(MAX_INVOCATIONS):
        answer = lambda_client.invoke(
            FunctionName=function, InvocationType="RequestResponse", Payload=json.dumps(event).encode()
        )
        body = json.loads(answer["Payload"].read() or b"null")
        if answer.get("FunctionError"):
            raise RotationFailed(f"{body.get('errorType')}: {body.get('errorMessage')}")
        if body.get("done"):
            return dict(body)
    raise RotationFailed(f"not done after {MAX_INVOCATIONS} invocations; run the command again to continue")


def run(args: argparse.Namespace) -> int:
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError

    function = args.function or f"{args.stack}-RotateVaultKeys"
    try:
        # the function answers before its own 15-minute timeout; the read waits that long
        config = Config(read_timeout=960, retries={"max_attempts": 1})
        client = boto3.client(
            "lambda", endpoint_url=args.endpoint_url, region_name=args.region, config=config
        )
        counts = rotate(client, function, args.merchant, args.mode, args.run_id)
    except (BotoCoreError, ClientError, RotationFailed) as exc:
        print(f"paygate vault rotate: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(counts, sort_keys=True))
    return 1 if counts.get("failed") else 0


def register(commands: Commands) -> None:
    vault = commands.add_parser("vault", help="the card vault of a deployed stack (AWS / LocalStack)")
    vault_commands = vault.add_subparsers(dest="vault_command", required=True)
    again = vault_commands.add_parser("rotate", help="new key versions; every card re-encrypted (resumable)")
    again.add_argument("--merchant", default=None, help="only this merchant's key rings and cards")
    again.add_argument("--mode", choices=["test", "live"], default=None, help="only this mode's")
    again.add_argument(
        "--run-id",
        default=None,
        help="continue this run, or run a finished one again: only cards still under an older version "
        "are re-encrypted (none, after a finished run)",
    )
    again.add_argument(
        "--stack", default="paygate", help="the root stack's name (function <stack>-RotateVaultKeys)"
    )
    again.add_argument("--function", default=None, help="the function's name or ARN (default from --stack)")
    add_endpoint_arguments(again)
    again.set_defaults(run=run)
