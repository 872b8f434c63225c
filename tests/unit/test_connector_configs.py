"""Connector configurations: what only the model and the deployment's settings decide."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from paygate.connectors import service
from paygate.connectors.models import check_credentials, hints
from paygate.core import settings
from paygate.core.errors import BadRequest


@pytest.fixture
def deployment(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    for name, value in {
        "CONNECTORS_TABLE": "t",
        "CONNECTORS_KEY_ID": "k",
        "TEST_MODE": request.param,
    }.items():
        monkeypatch.setenv(name, value)
    settings._cache.clear()
    yield request.param
    settings._cache.clear()


@pytest.mark.parametrize("deployment", ["false"], indirect=True)
def test_a_live_deployment_refuses_a_base_url(deployment: object) -> None:
    # the gateway's own calls to a provider must not be pointed anywhere a merchant likes (SSRF)
    with pytest.raises(BadRequest) as refused:
        service._check_base_url("http://169.254.169.254/latest")
    assert refused.value.field == "base_url"
    service._check_base_url(None)


@pytest.mark.parametrize("deployment", ["true"], indirect=True)
def test_a_test_deployment_takes_one_for_its_local_provider_servers(deployment: object) -> None:
    service._check_base_url("http://127.0.0.1:8420")


def test_credentials_follow_the_mode_and_show_only_as_hints() -> None:
    given = {"api_key": "sk_live_abcdefgh12345678"}
    assert check_credentials("stripe", "live", given) == given
    with pytest.raises(ValueError, match=r"^credentials\.api_key: ") as wrong:
        check_credentials("stripe", "test", given)
    assert "abcdefgh" not in str(wrong.value)
    assert hints({"api_key": "sk_live_abcdefgh12345678", "key_secret": "Zz9876543210"}) == {
        "api_key": "sk_live_...5678",
        "key_secret": "...3210",
    }
    assert check_credentials("simulator", "test", {}) == {}
    with pytest.raises(ValueError, match=r"^credentials\.api_key: not a simulator credential"):
        check_credentials("simulator", "test", {"api_key": "x"})


def test_a_warm_function_decrypts_a_configurations_credentials_once() -> None:
    """The same ciphertext under the same context: one KMS request; a changed credential (a new
    ciphertext) is decrypted again; a ciphertext under another configuration's context is refused by
    KMS even after the first was kept."""
    import boto3
    from botocore.exceptions import ClientError
    from moto import mock_aws
    from paygate.connectors import credentials
    from paygate.core import aws

    with mock_aws():
        key = boto3.client("kms", region_name="us-east-1").create_key()["KeyMetadata"]["Arn"]
        with pytest.MonkeyPatch.context() as env:
            env.setenv("AWS_DEFAULT_REGION", "us-east-1")
            env.setenv("CONNECTORS_TABLE", "t")
            env.setenv("CONNECTORS_KEY_ID", key)
            settings._cache.clear()
            aws._clients.clear()
            credentials._decrypted.clear()
            calls: list[str] = []
            aws.client("kms").meta.events.register("before-call.kms.Decrypt", lambda **_: calls.append("d"))
            first = credentials.encrypt({"api_key": "sk_test_cached1234"}, "mer_a", "test", "mca_1")
            for _ in range(3):
                assert credentials.decrypt(first, "mer_a", "test", "mca_1") == {
                    "api_key": "sk_test_cached1234"
                }
            assert len(calls) == 1
            changed = credentials.encrypt({"api_key": "sk_test_changed5678"}, "mer_a", "test", "mca_1")
            assert credentials.decrypt(changed, "mer_a", "test", "mca_1") == {
                "api_key": "sk_test_changed5678"
            }
            assert len(calls) == 2
            with pytest.raises(ClientError):  # moved onto another configuration: KMS's context check
                credentials.decrypt(first, "mer_a", "test", "mca_2")
            credentials._decrypted.clear()
            aws._clients.clear()
            settings._cache.clear()
