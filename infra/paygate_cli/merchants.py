"""``paygate merchants``: merchants of a running gateway, through its admin API (any base URL)."""

from __future__ import annotations

import argparse
import sys

import requests

from paygate_cli.options import DEFAULT_URL, Commands, admin_key


def create(args: argparse.Namespace) -> int:
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


def register(commands: Commands) -> None:
    merchants = commands.add_parser("merchants", help="manage merchants on a running gateway")
    merchant_commands = merchants.add_subparsers(dest="merchants_command", required=True)
    new = merchant_commands.add_parser("create", help="create a merchant; prints its test key once")
    new.add_argument("--name", required=True)
    new.add_argument("--email", required=True)
    new.add_argument("--webhook-url")
    new.add_argument("--password", help="dashboard login password (8-128 characters), stored hashed")
    new.add_argument("--base-url", default=DEFAULT_URL)
    new.add_argument("--admin-key", default=None, help="default: PAYGATE_ADMIN_KEY or the local key")
    new.set_defaults(run=create)
