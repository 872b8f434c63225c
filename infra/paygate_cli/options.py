"""What several commands share: where the project is, the admin key, how to name a stack's endpoint."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_URL = "http://127.0.0.1:3000"
LOCAL_ADMIN_KEY = "padm_local_admin_key"

# argparse's type for the object ``add_subparsers`` returns (private in typeshed's stubs)
Commands = argparse._SubParsersAction  # type: ignore[type-arg]


def admin_key() -> str:
    """The platform admin key: ``PAYGATE_ADMIN_KEY``, else the documented local one."""
    return os.environ.get("PAYGATE_ADMIN_KEY") or LOCAL_ADMIN_KEY


def add_endpoint_arguments(parser: argparse.ArgumentParser) -> None:
    """``--endpoint-url`` and ``--region`` of the AWS APIs a command calls (AWS, LocalStack...)."""
    parser.add_argument("--endpoint-url", default=None, help="default: AWS_ENDPOINT_URL or AWS")
    parser.add_argument("--region", default=None)
