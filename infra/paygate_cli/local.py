"""The ``paygate`` command. ``paygate local`` runs the gateway on localcloud in the foreground."""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import secrets
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

import requests
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from localcloud import template
from localcloud.errors import TemplateError

if TYPE_CHECKING:
    from localcloud.runtime import LocalCloud

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_URL = "http://127.0.0.1:3000"
LOCAL_ADMIN_KEY = "padm_local_admin_key"
SEED_CREDENTIALS = {
    "email": "test@example.com",
    "key_id": "key_test_abc123",
    "key_secret": "secret_test_xyz789",
    "webhook_secret": "whsec_test_abc123",
    "password": "test_password_123",  # dashboard login; documented, test mode only
}


def admin_key() -> str:
    return os.environ.get("PAYGATE_ADMIN_KEY") or LOCAL_ADMIN_KEY


def local_parameters(template_path: Path, overrides: list[str] | None = None) -> dict[str, str]:
    """Template parameters of a local run: test mode on, the admin key's hash and a fresh dashboard
    session key (where the template declares them), then the ``Name=Value`` overrides."""
    defaults = {
        "TestMode": "true",
        "WebhookRetryIntervalsTest": "true",
        "PlatformAdminKeyHash": hashlib.sha256(admin_key().encode()).hexdigest(),
        "SessionSigningKey": secrets.token_urlsafe(32),
    }
    declared = template.declared_parameters(template_path)
    params = {name: value for name, value in defaults.items() if name in declared}
    for item in overrides or []:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise SystemExit(f"paygate: --parameter-overrides wants Name=Value, got {item!r}")
        params[name] = value
    return params


@contextlib.contextmanager
def _start_progress(cloud: LocalCloud) -> Iterator[None]:
    """A rich bar on stderr while the template's resources are created and the merchant is seeded
    (stdout stays the banner that scripts and tests read)."""
    with Progress(
        TextColumn("paygate local: {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("starting", total=cloud.start_steps)

        def advance(done: str) -> None:
            bar.update(task, advance=1, description=done)

        cloud.progress = advance
        try:
            yield
        finally:
            cloud.progress = None


def _local(args: argparse.Namespace) -> int:
    import demo_shop

    from localcloud.runtime import LocalCloud

    stop = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        cloud = LocalCloud(
            args.template,
            host=args.host,
            port=args.port,
            time_scale=args.time_scale,
            stack_name=args.stack_name,
            parameters=local_parameters(args.template, args.parameter_overrides),
        )
        with _start_progress(cloud):
            cloud.start()
    except TemplateError as exc:
        print(f"paygate local: template error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # most often: the port is taken
        print(f"paygate local: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 2
    shop = None
    try:
        base = cloud.url
        try:
            shop, shop_url = demo_shop.start(base, port=args.port + 1 if args.port else 0, host=args.host)
        except OSError as exc:  # the gateway runs on without it
            shop_url = f"not started: {exc}"
        print(
            "\n".join(
                [
                    f"paygate is running on localcloud at {base}",
                    f"  API health  {base}/api/v1/health",
                    f"  checkout    {base}/checkout",
                    f"  SDK         {base}/sdk/checkout.js",
                    f"  dashboard   {base}/dashboard",
                    f"  demo shop   {shop_url}",
                    f"  functions   {len(cloud.deployed.functions.functions) if cloud.deployed else 0}"
                    f" from {cloud.template.path.name}; time scale {cloud.time_scale}",
                    "Seeded test merchant (test mode):",
                    f"  email {SEED_CREDENTIALS['email']}",
                    f"  dashboard password {SEED_CREDENTIALS['password']}",
                    f"  X-Api-Key: {SEED_CREDENTIALS['key_id']}",
                    f"  X-Api-Secret: {SEED_CREDENTIALS['key_secret']}",
                    f"  webhook secret {SEED_CREDENTIALS['webhook_secret']}",
                    f"Platform admin key (Authorization: Bearer): {admin_key()}",
                    "Ctrl-C stops it.",
                ]
            ),
            flush=True,
        )
        stop.wait()
    finally:
        if shop is not None:
            shop.stop()
        cloud.stop()
        print("paygate local: stopped", flush=True)
    return 0


def _create_merchant(args: argparse.Namespace) -> int:
    """POST /api/v1/admin/merchants on the running gateway; prints the new test key pair once."""
    body = {"name": args.name, "email": args.email}
    if args.webhook_url:
        body["webhook_url"] = args.webhook_url
    if args.password:
        body["password"] = args.password
    try:
        response = requests.post(
            args.base_url.rstrip("/") + "/api/v1/admin/merchants",
            json=body,
            headers={"Authorization": f"Bearer {args.admin_key or admin_key()}"},
            timeout=30,
        )
    except requests.RequestException as exc:
        print(f"paygate merchants create: cannot reach {args.base_url}: {exc}", file=sys.stderr)
        return 1
    if response.status_code != 201:
        print(f"paygate merchants create: {response.status_code} {response.text}", file=sys.stderr)
        return 1
    created = response.json()
    test_key = next(key for key in created["keys"] if key["mode"] == "test")
    print(f"merchant {created['id']} ({created['name']}, {created['email']})")
    print(f"  X-Api-Key: {test_key['key_id']}")
    print(f"  X-Api-Secret: {test_key['key_secret']}")
    print(f"  webhook secret: {created['webhook_secret']}")
    print("The secret is shown only now: it is stored hashed.")
    return 0


def redrive(sqs: Any, queue: str | None = None, prefix: str = "") -> dict[str, int]:
    """Move every message of each dead-letter queue back to the queue whose RedrivePolicy names it.

    What SQS's "start DLQ redrive" (StartMessageMoveTask) does, with plain ReceiveMessage,
    SendMessage (body and message attributes kept) and DeleteMessage, so it works on AWS,
    LocalStack and moto alike (moto has no StartMessageMoveTask). A message is deleted from the DLQ
    only after its copy was sent: a crash in between redelivers it (at least once, as SQS itself;
    consumers dedupe). ``queue``: only the DLQ (or source queue) of that name. Returns the count
    moved per DLQ.
    """
    moved: dict[str, int] = {}
    urls = sqs.list_queues(**({"QueueNamePrefix": prefix} if prefix else {})).get("QueueUrls", [])
    for url in urls:
        # SQS leaves "Attributes" out altogether when the queue has none of those asked for
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedrivePolicy"]).get(
            "Attributes", {}
        )
        if "RedrivePolicy" not in attributes:
            continue
        dlq_name = json.loads(attributes["RedrivePolicy"])["deadLetterTargetArn"].rsplit(":", 1)[-1]
        if queue and queue not in (dlq_name, url.rsplit("/", 1)[-1]):
            continue
        dlq_url = sqs.get_queue_url(QueueName=dlq_name)["QueueUrl"]
        count = 0
        while True:
            messages = sqs.receive_message(
                QueueUrl=dlq_url,
                MaxNumberOfMessages=10,
                WaitTimeSeconds=1,
                VisibilityTimeout=60,
                MessageAttributeNames=["All"],
            ).get("Messages", [])
            if not messages:
                break
            for message in messages:
                extra = (
                    {"MessageAttributes": message["MessageAttributes"]}
                    if message.get("MessageAttributes")
                    else {}
                )
                sqs.send_message(QueueUrl=url, MessageBody=message["Body"], **extra)
                sqs.delete_message(QueueUrl=dlq_url, ReceiptHandle=message["ReceiptHandle"])
                count += 1
        moved[dlq_name] = moved.get(dlq_name, 0) + count
    return moved


def _dlq_redrive(args: argparse.Namespace) -> int:
    """``paygate dlq redrive``: the stack's DLQs back to their source queues, through the SQS API
    (AWS, or LocalStack with ``--endpoint-url`` / ``AWS_ENDPOINT_URL``)."""
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        sqs = boto3.client("sqs", endpoint_url=args.endpoint_url, region_name=args.region)
        moved = redrive(sqs, args.queue, args.prefix)
    except (BotoCoreError, ClientError) as exc:
        print(f"paygate dlq redrive: {exc}", file=sys.stderr)
        return 1
    if not moved:
        print("paygate dlq redrive: no queue with a dead-letter queue matched", file=sys.stderr)
        return 1
    for name, count in moved.items():
        print(f"{name}: {count} message(s) moved back")
    return 0


def _streams_replay(args: argparse.Namespace) -> int:
    """``paygate streams replay``: the on-failure queue's batches back to their functions."""
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    from localcloud.stream_replay import replay

    try:
        session = boto3.session.Session(region_name=args.region)
        clients = {
            name: session.client(name, endpoint_url=args.endpoint_url)
            for name in ("sqs", "dynamodbstreams", "lambda")
        }
        url = clients["sqs"].get_queue_url(QueueName=args.queue)["QueueUrl"]
        done = replay(clients["sqs"], clients["dynamodbstreams"], clients["lambda"], url, session.region_name)
    except (BotoCoreError, ClientError) as exc:
        print(f"paygate streams replay: {exc}", file=sys.stderr)
        return 1
    print(f"{done.replayed} batch(es) replayed ({done.records} record(s)); {len(done.kept)} kept")
    for problem in done.kept:
        print(f"  kept: {problem}")
    return 1 if done.kept else 0


def _deploy_watch(args: argparse.Namespace) -> int:
    from localcloud import deploy_progress

    return deploy_progress.main_args(args)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="paygate", description="paygate developer commands")
    commands = parser.add_subparsers(dest="command", required=True)
    local = commands.add_parser("local", help="run the gateway on the embedded runtime (localcloud)")
    local.add_argument("--port", type=int, default=3000)
    local.add_argument("--host", default="127.0.0.1")
    local.add_argument("--template", type=Path, default=PROJECT_ROOT / "template.yaml")
    local.add_argument("--stack-name", default="paygate")
    local.add_argument(
        "--time-scale",
        type=float,
        default=None,
        help="multiply simulated waits (default LOCALCLOUD_TIME_SCALE or 1)",
    )
    local.add_argument(
        "--parameter-overrides",
        nargs="*",
        default=[],
        metavar="Name=Value",
        help="template parameters, as sam deploy takes them (e.g. TestPaymentSuccess=false)",
    )
    local.set_defaults(run=_local)
    merchants = commands.add_parser("merchants", help="manage merchants on a running gateway")
    merchant_commands = merchants.add_subparsers(dest="merchants_command", required=True)
    create = merchant_commands.add_parser("create", help="create a merchant; prints its test key once")
    create.add_argument("--name", required=True)
    create.add_argument("--email", required=True)
    create.add_argument("--webhook-url")
    create.add_argument("--password", help="dashboard login password (8-128 characters), stored hashed")
    create.add_argument("--base-url", default=DEFAULT_URL)
    create.add_argument("--admin-key", default=None, help="default: PAYGATE_ADMIN_KEY or the local key")
    create.set_defaults(run=_create_merchant)
    dlq = commands.add_parser("dlq", help="dead-letter queues of a deployed stack (AWS / LocalStack)")
    dlq_commands = dlq.add_subparsers(dest="dlq_command", required=True)
    move = dlq_commands.add_parser("redrive", help="move every DLQ message back to its source queue")
    move.add_argument("--queue", help="only this DLQ or source queue (name)")
    move.add_argument("--prefix", default="", help="only queues whose name starts so (e.g. the stack name)")
    move.add_argument("--endpoint-url", default=None, help="default: AWS_ENDPOINT_URL or AWS")
    move.add_argument("--region", default=None)
    move.set_defaults(run=_dlq_redrive)
    streams = commands.add_parser(
        "streams", help="DynamoDB-stream batches Lambda gave up on (AWS / LocalStack)"
    )
    stream_commands = streams.add_subparsers(dest="streams_command", required=True)
    replay = stream_commands.add_parser(
        "replay", help="hand the records named in the on-failure queue back to their function"
    )
    replay.add_argument("--queue", default="paygate-stream-failures", help="the on-failure queue (name)")
    replay.add_argument("--endpoint-url", default=None, help="default: AWS_ENDPOINT_URL or AWS")
    replay.add_argument("--region", default=None)
    replay.set_defaults(run=_streams_replay)
    deploy = commands.add_parser(
        "deploy-watch",
        help="run a deploy command (samlocal/sam deploy) behind a progress bar of the stack's events",
    )
    deploy.add_argument("--stack-name", default="paygate")
    deploy.add_argument("--log", type=Path, default=PROJECT_ROOT / "build" / "deploy.log")
    deploy.add_argument("--endpoint-url", default=None, help="default: AWS_ENDPOINT_URL or AWS")
    deploy.add_argument("--region", default=None)
    deploy.add_argument("--interval", type=float, default=2.0, help="seconds between event polls")
    deploy.add_argument("deploy_command", nargs=argparse.REMAINDER, help="-- the deploy command")
    deploy.set_defaults(run=_deploy_watch)
    args = parser.parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    raise SystemExit(main())
