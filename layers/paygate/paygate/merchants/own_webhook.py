"""The merchant's own webhook (the ``default`` endpoint of the seed contract): one URL and one signing
secret per mode, so nothing a test key reads or writes is the live pair.

Stored on the merchant's profile item as four attributes. The test pair keeps the names the profile
had before settings were per mode (``webhook_url``, ``webhook_secret``): a profile written before
then reads, unchanged, as its test-mode settings, and has no live URL (no live event goes to the
merchant's own URL) until one is set for live mode, which also mints the live secret. The old
secret cannot sign live events: every test key could read it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from paygate.merchants.models import Mode

URL_FIELDS: dict[Mode, str] = {"test": "webhook_url", "live": "live_webhook_url"}
SECRET_FIELDS: dict[Mode, str] = {"test": "webhook_secret", "live": "live_webhook_secret"}


def url_of(profile: Mapping[str, Any] | None, mode: Mode) -> str | None:
    return profile.get(URL_FIELDS[mode]) or None if profile else None


def secret_of(profile: Mapping[str, Any] | None, mode: Mode) -> str | None:
    return profile.get(SECRET_FIELDS[mode]) or None if profile else None


def own_webhook(profile: Mapping[str, Any] | None, mode: Mode) -> tuple[str, str] | None:
    """(url, secret) of the merchant's own webhook in ``mode``, or None when no URL is set there."""
    url, secret = url_of(profile, mode), secret_of(profile, mode)
    return (url, secret) if url and secret else None
