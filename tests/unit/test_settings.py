"""Settings read from the environment: what is cached, and for whom."""

from __future__ import annotations

import pytest


def test_settings_are_cached_per_execution_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A restarted local stack (same function names, a new random session key) must not see the old
    stack's settings: environments are told apart by their log stream, as processes are on AWS."""
    from paygate.core.settings import SessionSigning

    key = "k" * 32
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "paygate-GetOrder")
    monkeypatch.setenv("AWS_LAMBDA_LOG_STREAM_NAME", "first-environment")
    monkeypatch.setenv("SESSION_SIGNING_KEY", key)
    assert SessionSigning.load().session_signing_key.get_secret_value() == key
    monkeypatch.setenv("AWS_LAMBDA_LOG_STREAM_NAME", "second-environment")
    monkeypatch.setenv("SESSION_SIGNING_KEY", "n" * 32)
    assert SessionSigning.load().session_signing_key.get_secret_value() == "n" * 32
