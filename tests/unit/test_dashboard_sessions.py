"""Pure pieces of dashboard sessions: cookie parsing and shape, token checks, password verification."""

from __future__ import annotations

import time

import jwt
import pytest
from paygate.core.errors import Unauthorized
from paygate.dashboard import sessions
from paygate.merchants import passwords

KEY = "k" * 43


@pytest.fixture(autouse=True)
def signing_key(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    # settings are cached per function name: a name per test reads this test's environment
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", f"unit-{request.node.name}")
    monkeypatch.setenv("SESSION_SIGNING_KEY", KEY)


def _token(key: str = KEY, algorithm: str = "HS256", **changes: object) -> str:
    now = int(time.time())
    claims = {"sub": "mer_x", "mode": "test", "jti": "j", "iat": now, "exp": now + 60, **changes}
    return jwt.encode(claims, key, algorithm=algorithm)


@pytest.mark.parametrize(
    ("header", "found"),
    [
        ("paygate_session=abc.def.ghi", "abc.def.ghi"),
        ('theme=dark; bad"cookie=1; paygate_session=abc; other=x', "abc"),
        ("paygate_session=; x=1", None),
        ("x=1", None),
        ("", None),
    ],
)
def test_the_session_cookie_is_found_among_others(header: str, found: str | None) -> None:
    assert sessions.token_from({"cookie": header}) == found


def test_cookie_attributes() -> None:
    assert str(sessions.session_cookie("t", secure=False)) == (
        "paygate_session=t; Path=/; Max-Age=43200; HttpOnly; SameSite=Strict"
    )
    assert "; Secure" in str(sessions.session_cookie("t", secure=True))
    cleared = str(sessions.cleared_cookie(secure=False))
    assert cleared.startswith("paygate_session=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0")


@pytest.mark.parametrize(
    "token",
    [
        _token(exp=int(time.time()) - 5),  # expired
        _token(key="another key of enough length, 32+ chars"),  # signed with another key
        jwt.encode({"sub": "mer_x"}, None, algorithm="none"),
        _token(mode="admin"),
        "not.a.token",
    ],
    ids=["expired", "other-key", "alg-none", "bad-mode", "garbage"],
)
def test_bad_tokens_are_401_before_any_lookup(token: str) -> None:
    with pytest.raises(Unauthorized):
        sessions.authenticate(token)  # no table in this test: a lookup would fail differently


def test_the_cookie_without_the_dashboard_header_is_401() -> None:
    with pytest.raises(Unauthorized) as refused:
        sessions.principal_from({"cookie": f"paygate_session={_token()}"})
    assert refused.value.field == "X-Paygate-Dashboard"
    assert sessions.principal_from({"x-paygate-dashboard": "1"}) is None  # no cookie: not a session


def test_password_verification() -> None:
    stored = passwords.hash_password("correct horse")
    assert stored.startswith("$argon2id$")
    assert passwords.verify(stored, "correct horse")
    assert not passwords.verify(stored, "wrong horse")
    assert not passwords.verify(None, "correct horse")  # unknown email: a dummy verification, then no
    assert not passwords.verify("not a hash", "correct horse")
