"""Dashboard login throttling and the login's answers, on moto: counters per account and per client in
a window, race-safe; a suspended account answers the same for a right and a wrong password."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from paygate.core import clock
from paygate.core.errors import Forbidden, InvalidCredentials, TooManyAttempts
from paygate.dashboard import login_limits, service, sessions
from paygate.dashboard.models import LoginIn
from paygate.merchants import passwords
from paygate.merchants import service as merchants
from paygate.merchants.models import MerchantIn, MerchantUpdate
from pydantic import SecretStr

from tests.unit.merchants_world import merchants_world

START = datetime.now(UTC).replace(microsecond=0)  # session tokens are checked against the real time too
PASSWORD = "the right password"


@pytest.fixture
def now() -> Iterator[list[datetime]]:
    """The clock, moved by assigning ``now[0]``."""
    moment = [START]
    clock.set_clock(lambda: moment[0])
    with merchants_world():
        yield moment
    clock.set_clock(None)


def _login(email: str, password: str, ip: str = "198.51.100.1", mode: str = "test") -> object:
    data = LoginIn(email=email, password=SecretStr(password), mode=mode)  # type: ignore[arg-type]
    return service.login(data, ip)


def _merchant(email: str) -> str:
    created = merchants.create_merchant(
        MerchantIn(name="Shop", email=email, password=SecretStr(PASSWORD))  # type: ignore[arg-type]
    )
    return created.id


def _refused(call: object) -> TooManyAttempts:
    with pytest.raises(TooManyAttempts) as refused:
        call()  # type: ignore[operator]
    return refused.value


# --- the counters -----------------------------------------------------------------------------------
def test_the_sixth_attempt_in_the_window_is_refused_until_the_window_ends(now: list[datetime]) -> None:
    # Given 5 attempts for one account within a minute
    for second in range(5):
        now[0] = START + timedelta(seconds=10 * second)
        login_limits.admit("a@example.com", "198.51.100.1")
    # Then the 6th is refused with the rest of the window (from the first attempt) as Retry-After
    now[0] = START + timedelta(minutes=5)
    refused = _refused(lambda: login_limits.admit("a@example.com", "198.51.100.2"))
    assert refused.status == 429 and refused.retry_after == 10 * 60
    # and another account is not affected
    login_limits.admit("b@example.com", "198.51.100.1")
    # and once the window is over, the account may try again
    now[0] = START + timedelta(minutes=15)
    login_limits.admit("a@example.com", "198.51.100.1")


def test_a_client_is_limited_across_accounts_and_the_account_attempt_is_given_back(
    now: list[datetime],
) -> None:
    # Given 20 attempts from one IP against 4 accounts (5 each: at their limit too)
    for n in range(login_limits.CLIENT_LIMIT):
        login_limits.admit(f"user{n % 4}@example.com", "203.0.113.9")
    # Then a 21st from that IP is refused, even for an account never tried
    _refused(lambda: login_limits.admit("fresh@example.com", "203.0.113.9"))
    # and that refused attempt did not count against the fresh account: 5 more from elsewhere pass
    for _ in range(login_limits.ACCOUNT_LIMIT):
        login_limits.admit("fresh@example.com", "203.0.113.10")
    _refused(lambda: login_limits.admit("fresh@example.com", "203.0.113.11"))


def test_concurrent_attempts_never_get_more_than_the_limit(now: list[datetime]) -> None:
    # When 30 attempts for one account race
    def attempt(n: int) -> bool:
        try:
            login_limits.admit("raced@example.com", f"198.51.100.{n}")
        except TooManyAttempts:
            return False
        return True

    with ThreadPoolExecutor(max_workers=10) as pool:
        admitted = list(pool.map(attempt, range(30)))
    # Then exactly 5 get their password checked
    assert sum(admitted) == login_limits.ACCOUNT_LIMIT


def test_counters_store_neither_the_email_nor_the_ip(now: list[datetime]) -> None:
    login_limits.admit("Secret.Person@example.com", "192.0.2.77")
    table = boto3.client("dynamodb").scan(TableName="world-MerchantsTable")["Items"]
    stored = json.dumps(table).lower()
    assert "loginlimit#account#" in stored and "loginlimit#client#" in stored
    assert "secret.person" not in stored and "192.0.2.77" not in stored


# --- the login ------------------------------------------------------------------------------------------
def test_wrong_passwords_lock_the_account_and_then_the_right_one_is_refused_too(now: list[datetime]) -> None:
    _merchant("locked@example.com")
    for _ in range(login_limits.ACCOUNT_LIMIT):
        with pytest.raises(InvalidCredentials):
            _login("locked@example.com", "a wrong password")
    _refused(lambda: _login("locked@example.com", PASSWORD))
    _refused(lambda: _login("LOCKED@example.com ", "a wrong password", ip="198.51.100.99"))
    # an unknown email is counted the same way: no oracle in the limit either
    for _ in range(login_limits.ACCOUNT_LIMIT):
        with pytest.raises(InvalidCredentials):
            _login("nobody@example.com", "a wrong password")
    _refused(lambda: _login("nobody@example.com", "a wrong password"))
    # after the window the right password works
    now[0] = START + timedelta(minutes=15, seconds=1)
    _login("locked@example.com", PASSWORD)


def test_a_successful_login_forgives_the_accounts_failures(now: list[datetime]) -> None:
    _merchant("forgiven@example.com")
    for _ in range(login_limits.ACCOUNT_LIMIT - 1):
        with pytest.raises(InvalidCredentials):
            _login("forgiven@example.com", "a wrong password")
    _login("forgiven@example.com", PASSWORD)
    for _ in range(login_limits.ACCOUNT_LIMIT - 1):
        with pytest.raises(InvalidCredentials):
            _login("forgiven@example.com", "a wrong password")
    _login("forgiven@example.com", PASSWORD)


def test_a_suspended_account_answers_the_same_after_the_same_work(
    now: list[datetime], monkeypatch: pytest.MonkeyPatch
) -> None:
    merchant_id = _merchant("paused@example.com")
    merchants.update_merchant(merchant_id, MerchantUpdate(status="suspended"))
    checks: list[str] = []
    real = passwords._hasher

    class CountingHasher:
        """argon2's hasher, counting its verifications."""

        def verify(self, hash_: str, password: str) -> bool:
            checks.append(password)
            return real.verify(hash_, password)

        def __getattr__(self, name: str) -> object:
            return getattr(real, name)

    monkeypatch.setattr(passwords, "_hasher", CountingHasher())
    answers = []
    for password in (PASSWORD, "a wrong password"):
        with pytest.raises(Forbidden) as refused:
            _login("paused@example.com", password)
        answers.append((refused.value.status, refused.value.code, refused.value.description))
    assert answers[0] == answers[1]
    assert checks == [PASSWORD, "a wrong password"]  # one argon2 verification each


def test_a_password_change_or_a_suspension_ends_every_session(now: list[datetime]) -> None:
    merchant_id = _merchant("sessions@example.com")
    _, test_token = _login("sessions@example.com", PASSWORD)  # type: ignore[misc]
    _, live_token = _login("sessions@example.com", PASSWORD, mode="live")  # type: ignore[misc]
    assert sessions.authenticate(test_token).mode == "test"
    # When the admin sets a new password
    merchants.update_merchant(merchant_id, MerchantUpdate(password=SecretStr("a new password 123")))
    # Then both sessions are over, and a new login works
    for token in (test_token, live_token):
        with pytest.raises(sessions.Unauthorized):
            sessions.authenticate(token)
    _, fresh = _login("sessions@example.com", "a new password 123")  # type: ignore[misc]
    assert sessions.authenticate(fresh).merchant_id == merchant_id
    # and a suspension (then reactivation) ends that one too, while a rename does not end sessions
    merchants.update_merchant(merchant_id, MerchantUpdate(status="suspended"))
    merchants.update_merchant(merchant_id, MerchantUpdate(status="active"))
    with pytest.raises(sessions.Unauthorized):
        sessions.authenticate(fresh)
    _, kept = _login("sessions@example.com", "a new password 123")  # type: ignore[misc]
    merchants.update_merchant(merchant_id, MerchantUpdate(name="Renamed"))
    assert sessions.authenticate(kept).merchant_id == merchant_id
