"""``paygate local``: the gateway on the embedded runtime (localcloud), in the foreground.

Also what a local run's template parameters are (``local_parameters``): the tests, the soak and the
benchmarks start their LocalCloud with them, so they run the gateway as ``paygate local`` does.
localcloud is imported inside the functions that need it: the other commands never load it.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import secrets
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from paygate_cli.options import PROJECT_ROOT, Commands, admin_key

if TYPE_CHECKING:
    from localcloud.runtime import LocalCloud

SEED_CREDENTIALS = {
    "email": "test@example.com",
    "key_id": "key_test_abc123",
    "key_secret": "secret_test_xyz789",
    "webhook_secret": "whsec_test_abc123",
    "password": "test_password_123",  # dashboard login; documented, test mode only
}


def local_parameters(template_path: Path, overrides: list[str] | None = None) -> dict[str, str]:
    """Template parameters of a local run: test mode on, the admin key's hash and a fresh dashboard
    session key (where the template declares them), then the ``Name=Value`` overrides."""
    from localcloud import template

    defaults = {
        "TestMode": "true",
        "WebhookRetryIntervalsTest": "true",
        "PlatformAdminKeyHash": hashlib.sha256(admin_key().encode()).hexdigest(),
        "SessionSigningKey": secrets.token_urlsafe(32),
        "ChallengeSigningKey": secrets.token_urlsafe(32),
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


def _banner(cloud: LocalCloud, shop_url: str) -> str:
    base = cloud.url
    return "\n".join(
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
    )


def run(args: argparse.Namespace) -> int:
    import demo_shop
    from localcloud.errors import TemplateError
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
    stripe = None
    try:
        if args.localstripe:
            from paygate_cli.localstripe import Localstripe

            stripe = Localstripe()
            stripe.start()
        try:
            port = args.port + 1 if args.port else 0
            shop, shop_url = demo_shop.start(cloud.url, port=port, host=args.host)
        except OSError as exc:  # the gateway runs on without it
            shop_url = f"not started: {exc}"
        print(_banner(cloud, shop_url), flush=True)
        if stripe is not None:
            print(f"localstripe {stripe.url} (a stripe connector's base_url; any sk_test_ key)", flush=True)
        stop.wait()
    finally:
        if stripe is not None:
            stripe.stop()
        if shop is not None:
            shop.stop()
        cloud.stop()
        print("paygate local: stopped", flush=True)
    return 0


def register(commands: Commands) -> None:
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
    local.add_argument(
        "--localstripe",
        action="store_true",
        help="also start localstripe (a local Stripe API) for Stripe connector configurations",
    )
    local.set_defaults(run=run)
