"""The ``paygate`` command. ``paygate local`` runs the gateway on localcloud in the foreground."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from localcloud.errors import TemplateError

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _local(args: argparse.Namespace) -> int:
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
        )
        cloud.start()
    except TemplateError as exc:
        print(f"paygate local: template error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # most often: the port is taken
        print(f"paygate local: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 2
    try:
        base = cloud.url
        print(
            "\n".join(
                [
                    f"paygate is running on localcloud at {base}",
                    f"  API health  {base}/api/v1/health",
                    f"  checkout    {base}/checkout",
                    f"  SDK         {base}/sdk/checkout.js",
                    f"  dashboard   {base}/dashboard",
                    f"  functions   {len(cloud.deployed.functions.functions) if cloud.deployed else 0}"
                    f" from {cloud.template.path.name}; time scale {cloud.time_scale}",
                    "Ctrl-C stops it.",
                ]
            ),
            flush=True,
        )
        stop.wait()
    finally:
        cloud.stop()
        print("paygate local: stopped", flush=True)
    return 0


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
    local.set_defaults(run=_local)
    args = parser.parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    raise SystemExit(main())
