"""Where a webhook may go (issue 15, item 6): URLs that a second parser, the resolver or a
non-canonical form could read as another host are refused, and the addresses checked are the
addresses a delivery connects to.

Each bypass below is also run through the check as it was before the fix (``_check_before_fix``, kept
here verbatim) to show which of them it let through."""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import urlsplit

import pytest
from paygate.core.errors import BadRequest
from paygate.webhooks import sender, urls

# The names these tests resolve, and what they resolve to (no network here); numeric hosts go to the
# system's resolver, which reads them itself (inet_aton: 2130706433, 0x7f.1, 017700000001, ...)
FAKE_DNS = {
    "example.com": ["93.184.215.14"],
    "example.com.": ["93.184.215.14"],
    "localhost.": ["127.0.0.1"],
    "internal.example.com": ["10.1.2.3"],
    "mapped.example.com": ["::ffff:10.1.2.3"],
    "metadata.example.com": ["93.184.215.14", "169.254.169.254"],
    "v6.example.com": ["2606:4700::6810:84e5"],
}


@pytest.fixture(autouse=True)
def fake_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        if isinstance(host, str) and host.lower() in FAKE_DNS:
            return [
                (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
                for a in FAKE_DNS[host.lower()]
            ]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def _check_before_fix(url: str, mode: str, field: str = "url") -> None:
    """``paygate.webhooks.urls.check_url`` before issue 15 (commit d33b79b), unchanged."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise BadRequest(f"url is not a valid URL: {exc}", field) from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadRequest("url must be an absolute http(s) URL", field)
    if mode == "live" and parts.scheme != "https":
        raise BadRequest("live-mode webhook URLs must use https", field)
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(parts.hostname, port or 443)}
    except (socket.gaierror, UnicodeError) as exc:
        raise BadRequest(f"url host {parts.hostname} does not resolve", field) from exc
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if mode == "test" and ip.is_loopback:
            continue
        if not ip.is_global or ip.is_multicast:
            raise BadRequest(f"url resolves to a non-public address ({ip})", field)


def _passes(check: Any, url: str, mode: str) -> bool:
    try:
        check(url, mode)
    except BadRequest:
        return False
    return True


# (url, mode, passed the check before the fix)
BYPASSES = [
    # parser disagreement: urlsplit saw 8.8.8.8 / example.com, urllib3 connected to 127.0.0.1
    ("https://127.0.0.1:4306\\@8.8.8.8/", "live", True),
    ("https://127.0.0.1:4306\\@example.com/", "live", True),
    ("https://8.8.8.8\\@127.0.0.1/", "live", False),
    # user information, fragments, control characters, non-ASCII: other readings of the authority
    ("https://user:secret@8.8.8.8/", "live", True),
    ("https://8.8.8.8#@127.0.0.1/", "live", True),
    ("https://8.8.8.8/\x00", "live", True),
    ("https://8.8.8.8/a b", "live", True),
    ("https://\uff18.\uff18.\uff18.\uff18/", "live", True),  # fullwidth digits, read as 8.8.8.8
    ("https://%31%32%37.0.0.1/", "test", False),  # urllib3 decodes it to 127.0.0.1
    ("https://[fe80::1%25eth0]/", "live", False),
    # IPv4 written other than a.b.c.d
    ("http://2130706433/", "test", True),
    ("http://0x7f.1/", "test", True),
    ("http://017700000001/", "test", True),
    ("http://127.1/", "test", True),
    ("https://134744072/", "live", True),  # 8.8.8.8 as one number
    ("http://0x0a000001/", "test", False),  # 10.0.0.1
    # IPv6 forms of IPv4 addresses: loopback and metadata behind NAT64, 6to4, compatible, mapped
    ("https://[64:ff9b::7f00:1]/", "live", True),
    ("https://[64:ff9b::a9fe:a9fe]/", "live", True),
    ("https://[2002:7f00:1::]/", "live", True),
    ("https://[::7f00:1]/", "live", True),
    ("https://[::ffff:7f00:1]/", "live", False),
    ("https://[2001:4860:4860:0:0:0:0:8888]/", "live", True),  # not canonical
    # trailing dots, ports written oddly or pointing at other services
    ("https://example.com./", "live", True),
    ("http://localhost./", "test", True),
    ("https://example.com:0443/", "live", True),
    ("https://example.com:/", "live", True),
    ("https://example.com:22/", "live", True),
    ("http://example.com:25/", "test", True),
    # names whose addresses are not all public
    ("https://internal.example.com/", "live", False),
    ("https://mapped.example.com/", "live", False),
    ("https://metadata.example.com/", "live", False),
    ("http://internal.example.com/", "test", False),
]


@pytest.mark.parametrize(("url", "mode", "passed_before"), BYPASSES)
def test_a_bypass_is_refused_naming_the_field(url: str, mode: str, passed_before: bool) -> None:
    # Given what the check before the fix made of it
    assert _passes(_check_before_fix, url, mode) is passed_before
    # When it is checked now, Then it is refused naming the field given
    with pytest.raises(BadRequest) as refused:
        urls.check_url(url, mode, field="webhook_url")
    assert refused.value.field == "webhook_url"


def test_the_table_holds_bypasses_the_old_check_let_through() -> None:
    assert sum(passed for *_, passed in BYPASSES) >= 20


@pytest.mark.parametrize(
    ("url", "mode", "host", "port", "target", "addresses"),
    [
        ("https://example.com/hook", "live", "example.com", 443, "/hook", ("93.184.215.14",)),
        ("https://EXAMPLE.com:8443/a/../b?x=1", "live", "example.com", 8443, "/b?x=1", ("93.184.215.14",)),
        ("https://example.com?x=1", "live", "example.com", 443, "/?x=1", ("93.184.215.14",)),
        ("https://93.184.215.14/live-hook", "live", "93.184.215.14", 443, "/live-hook", ("93.184.215.14",)),
        ("https://v6.example.com/", "live", "v6.example.com", 443, "/", ("2606:4700::6810:84e5",)),
        (
            "https://[2606:4700::6810:84e5]/",
            "live",
            "2606:4700::6810:84e5",
            443,
            "/",
            ("2606:4700::6810:84e5",),
        ),
        ("http://example.com/hook", "test", "example.com", 80, "/hook", ("93.184.215.14",)),
        ("http://127.0.0.1:9/hook", "test", "127.0.0.1", 9, "/hook", ("127.0.0.1",)),
        ("http://localhost.:3000/", "test", None, None, None, None),  # refused: trailing dot
    ],
)
def test_canonical_urls_pass_with_the_addresses_to_connect_to(
    url: str, mode: str, host: str | None, port: int | None, target: str | None, addresses: Any
) -> None:
    if host is None:
        with pytest.raises(BadRequest):
            urls.check_url(url, mode)
        return
    destination = urls.check_url(url, mode)
    assert (destination.host, destination.port, destination.target) == (host, port, target)
    assert destination.addresses == addresses


def test_live_mode_takes_https_only_and_test_mode_no_private_address_but_loopback() -> None:
    with pytest.raises(BadRequest):
        urls.check_url("http://example.com/hook", "live")
    with pytest.raises(BadRequest):
        urls.check_url("https://127.0.0.1/hook", "live")
    for private in ("http://10.0.0.8/", "http://169.254.169.254/", "http://0.0.0.0:8080/", "http://[::]/"):
        with pytest.raises(BadRequest):
            urls.check_url(private, "test")
    assert urls.check_url("http://[::1]:8080/", "test").addresses == ("::1",)


def test_a_name_is_resolved_once_and_its_answer_is_not_echoed(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a resolver that counts its lookups and answers a private address for one name
    asked: list[str] = []

    def resolver(host: str, port: int) -> list[str]:
        asked.append(host)
        return ["10.9.8.7"] if host == "inside.example.com" else ["93.184.215.14"]

    monkeypatch.setattr(urls, "resolver", resolver)
    # Then a good name is looked up once, and a bad one's internal address is not told back
    urls.check_url("https://good.example.com/", "live")
    assert asked == ["good.example.com"]
    with pytest.raises(BadRequest) as refused:
        urls.check_url("https://inside.example.com/", "live")
    assert "10.9.8.7" not in refused.value.description


def test_a_lookup_that_hangs_is_given_up_within_the_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()

    def hanging(host: str, port: int) -> list[str]:
        release.wait(10)
        return ["93.184.215.14"]

    monkeypatch.setattr(urls, "resolver", hanging)
    try:
        with pytest.raises(BadRequest) as refused:
            urls.check_url("https://slow.example.com/", "live", timeout=0.2)
        assert "in time" in refused.value.description
    finally:
        release.set()


@pytest.fixture
def loopback_server() -> Iterator[tuple[int, list[str]]]:
    """An HTTP server on 127.0.0.1 only; records each request's Host header."""
    hosts: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            hosts.append(self.headers["Host"])
            self.send_response(204)
            self.end_headers()

        def log_message(self, *_args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.server_address[1], hosts
    finally:
        server.shutdown()


def test_the_sender_connects_to_the_checked_address_whatever_the_name_resolves_to_later(
    monkeypatch: pytest.MonkeyPatch, loopback_server: tuple[int, list[str]]
) -> None:
    # Given a name checked while it resolved to 127.0.0.1 (test mode: loopback allowed)
    port, hosts = loopback_server
    answers = iter([["127.0.0.1"], ["10.0.0.1"]])
    monkeypatch.setattr(urls, "resolver", lambda host, _port: next(answers))
    destination = urls.check_url(f"http://hooks.example.com:{port}/in", "test")
    # When the name then resolves elsewhere (a rebinding resolver) and the POST goes out
    answer = sender.post(destination, {"Content-Type": "application/json"}, b"{}", time.monotonic() + 5)
    # Then it reached the checked address, asking for the name, without resolving it again
    assert (answer.status, answer.error) == (204, None)
    assert hosts == [f"hooks.example.com:{port}"]
    assert next(answers) == ["10.0.0.1"]  # the second answer was never asked for
