"""Where a webhook may go, decided once per URL and once per attempt (SSRF).

A URL is parsed ONCE, by urllib3's ``parse_url`` (the library whose parser the gateway trusted to
connect before; the sender now takes the parsed parts, never the URL text, so nothing parses it a
second time and no two parsers can disagree). Anything a parser could read two ways is refused
rather than normalised: user information (``user@``), backslashes, whitespace and control
characters, non-ASCII text, percent-encoding in the host, fragments, a port written oddly
(``:0080``, ``:``), IPv4 written other than as four decimal parts (``2130706433``, ``0x7f.1``,
``017700000001``, ``127.1``), IPv6 written non-canonically or embedding an IPv4 address
(``[::ffff:127.0.0.1]``), and host names with a trailing dot or characters outside LDH.

The host is then resolved once and EVERY address checked; the sender connects to those very
addresses (``Destination.addresses``), so a name cannot answer one address to the check and another
to the connection (DNS rebinding). Live mode: https to public addresses only. Test mode: http too,
and loopback (the developer's own receiver), nothing else private. Ports: the scheme's default or
1024-65535 (no SSH, SMTP, ... on someone else's host); any port on loopback in test mode.
"""

from __future__ import annotations

import concurrent.futures
import ipaddress
import re
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url

from paygate.core.errors import BadRequest

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
DEFAULT_PORTS = {"http": 80, "https": 443}
LOWEST_OPEN_PORT = 1024
MAX_LENGTH = 2048
LOOKUP_TIMEOUT = 3.0  # seconds a name's lookup may take when a URL is saved
_REFUSED_CHARACTERS = re.compile(r"[\x00-\x20\x7f\\]")
_DOTTED_QUAD = re.compile(r"(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)")
_NUMERIC_LABEL = re.compile(r"(?:0x[0-9a-f]*|\d+)")  # a last label like this makes a host an IPv4 (WHATWG)
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_PORT = re.compile(r"[1-9]\d{0,4}")
_NAT64 = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")

Resolver = Callable[[str, int], list[str]]


def system_resolver(host: str, port: int) -> list[str]:
    """The addresses of ``host`` from the system's resolver (``socket.getaddrinfo`` looked up at call
    time, so a test can stand in for DNS)."""
    return [info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


resolver: Resolver = system_resolver
"""How names are resolved: replace it to stand in for DNS (tests); the check and the send both use it."""


@dataclass(frozen=True)
class Destination:
    """A URL that passed the checks: where to connect (the checked addresses) and what to ask for."""

    scheme: Literal["http", "https"]
    host: str  # lowercase name or address literal, for the Host header, SNI and certificate check
    port: int
    target: str  # the request-target: path and query, exactly as given
    addresses: tuple[str, ...]  # every address the host resolved to, each one checked

    @property
    def host_header(self) -> str:
        name = f"[{self.host}]" if ":" in self.host else self.host
        return name if self.port == DEFAULT_PORTS[self.scheme] else f"{name}:{self.port}"


@dataclass(frozen=True)
class _Parsed:
    scheme: Literal["http", "https"]
    host: str
    port: int
    explicit_port: bool
    target: str
    literal: IPAddress | None


def check_url(url: str, mode: str, field: str = "url", timeout: float | None = LOOKUP_TIMEOUT) -> Destination:
    """Refuse (``BadRequest`` naming ``field``) a URL a webhook of ``mode`` may not go to; otherwise
    the destination, its addresses resolved once and checked. ``timeout``: seconds the lookup may
    take (the system resolver has no limit of its own; None waits for it)."""
    parsed = _parse(url, field)
    if mode == "live" and parsed.scheme != "https":
        raise BadRequest("live-mode webhook URLs must use https", field)
    if parsed.literal is not None:
        addresses: list[IPAddress] = [parsed.literal]
    else:
        addresses = _resolve(parsed.host, parsed.port, field, timeout)
    shown = parsed.literal is not None  # a name's addresses are not echoed (they could be internal)
    for address in addresses:
        _check_address(address, mode, field, shown)
    if parsed.port != DEFAULT_PORTS[parsed.scheme] and parsed.port < LOWEST_OPEN_PORT:
        loopback_in_test = mode == "test" and all(_effective_for_connect(a).is_loopback for a in addresses)
        if not loopback_in_test:
            raise BadRequest(
                f"url port must be {DEFAULT_PORTS[parsed.scheme]} or {LOWEST_OPEN_PORT}-65535", field
            )
    return Destination(
        scheme=parsed.scheme,
        host=parsed.host,
        port=parsed.port,
        target=parsed.target,
        addresses=tuple(dict.fromkeys(str(_effective_for_connect(a)) for a in addresses)),
    )


# --- parsing ------------------------------------------------------------------------------------
def _parse(url: str, field: str) -> _Parsed:
    def refuse(why: str) -> BadRequest:
        return BadRequest(f"url {why}", field)

    if not isinstance(url, str) or not url:
        raise refuse("is required")
    if len(url) > MAX_LENGTH:
        raise refuse(f"is longer than {MAX_LENGTH} characters")
    if not url.isascii():
        raise refuse("must be ASCII (an international host name as its xn-- form, the path percent-encoded)")
    if _REFUSED_CHARACTERS.search(url):
        raise refuse("may not contain whitespace, control characters or backslashes")
    scheme, separator, rest = url.partition("://")
    if not separator or scheme not in DEFAULT_PORTS:
        raise refuse("must be an absolute http(s) URL (lowercase scheme)")
    if "#" in rest:
        raise refuse("may not have a fragment (#...)")
    authority = re.split(r"[/?]", rest, maxsplit=1)[0]
    if "@" in authority:
        raise refuse("may not contain user information (user:password@)")
    if "%" in authority:
        raise refuse("host may not be percent-encoded")
    host_text, port_text, explicit_port = _split_authority(authority, refuse)
    try:
        parsed = parse_url(url)
    except LocationParseError as exc:
        raise refuse("is not a valid URL") from exc
    if parsed.scheme != scheme or parsed.auth is not None or parsed.host is None:
        raise refuse("is not a valid URL")
    # what the parser will connect to must be exactly what was written: nothing dropped or rewritten
    if host_text.lower() != parsed.host or (explicit_port and parsed.port != int(port_text)):
        raise refuse("host is not in canonical form")
    literal = _host_literal(host_text.lower(), refuse)
    host = str(literal) if isinstance(literal, ipaddress.IPv6Address) else parsed.host
    port = int(port_text) if explicit_port else DEFAULT_PORTS[scheme]
    # the request-target as the parser reads it (path and query; dot segments resolved)
    return _Parsed(scheme, host, port, explicit_port, parsed.request_uri, literal)  # type: ignore[arg-type]


def _split_authority(authority: str, refuse: Callable[[str], BadRequest]) -> tuple[str, str, bool]:
    if authority.startswith("["):
        end = authority.find("]")
        if end < 0:
            raise refuse("host is not a valid IPv6 literal")
        host_text, after = authority[: end + 1], authority[end + 1 :]
        if after and not after.startswith(":"):
            raise refuse("is not a valid URL")
        port_text = after[1:] if after else ""
        explicit = bool(after)
    else:
        host_text, colon, port_text = authority.partition(":")
        explicit = bool(colon)
    if not host_text:
        raise refuse("must name a host")
    if explicit and (not _PORT.fullmatch(port_text) or int(port_text) > 65535):
        raise refuse("port must be a number 1-65535 written without leading zeros")
    return host_text, port_text, explicit


def _host_literal(host: str, refuse: Callable[[str], BadRequest]) -> IPAddress | None:
    """The address a literal host names; None for a host name (after checking its form)."""
    if host.startswith("["):
        inner = host[1:-1]
        try:
            ip6 = ipaddress.IPv6Address(inner)
        except ValueError as exc:
            raise refuse("host is not a valid IPv6 literal") from exc
        if ip6.compressed != inner:
            raise refuse(f"host must be written in canonical form ([{ip6.compressed}])")
        if _embedded_ipv4(ip6) is not None:
            raise refuse("host may not be an IPv6 form of an IPv4 address: write the IPv4 address")
        return ip6
    labels = host.split(".")
    if _NUMERIC_LABEL.fullmatch(labels[-1]):
        if not _DOTTED_QUAD.fullmatch(host):
            raise refuse("host must be an IPv4 address written as four decimal numbers (a.b.c.d)")
        return ipaddress.IPv4Address(host)
    if len(host) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        raise refuse("host must be a host name of letters, digits and hyphens (no trailing dot)")
    return None


# --- resolving and checking addresses -----------------------------------------------------------
def _resolve(host: str, port: int, field: str, timeout: float | None) -> list[IPAddress]:
    try:
        if timeout is None:
            found = resolver(host, port)
        else:  # getaddrinfo has no timeout of its own: wait for it at most ``timeout`` seconds
            pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
            try:
                found = pool.submit(resolver, host, port).result(timeout=max(timeout, 0.01))
            finally:
                pool.shutdown(wait=False)
    except concurrent.futures.TimeoutError as exc:
        raise BadRequest(f"url host {host} did not resolve in time", field) from exc
    except (OSError, UnicodeError) as exc:
        raise BadRequest(f"url host {host} does not resolve", field) from exc
    addresses = []
    for text in found:
        try:
            addresses.append(ipaddress.ip_address(text.split("%")[0]))
        except ValueError as exc:
            raise BadRequest(f"url host {host} resolves to something that is not an address", field) from exc
    if not addresses:
        raise BadRequest(f"url host {host} does not resolve", field)
    return addresses


def _check_address(address: IPAddress, mode: str, field: str, shown: bool) -> None:
    connected, effective = _effective_for_connect(address), _effective(address)
    if mode == "test" and connected.is_loopback:
        return
    if all(a.is_global and not a.is_multicast for a in (connected, effective)):
        return
    what = f" ({address})" if shown else ""
    raise BadRequest(f"url resolves to a non-public address{what}", field)


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for: mapped, compatible, 6to4, Teredo or NAT64."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if any(address in net for net in _NAT64) or (address in _IPV4_COMPATIBLE and int(address) > 1):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _effective(address: IPAddress) -> IPAddress:
    """The address whose kind counts: the embedded IPv4 address of an IPv6 form of one."""
    if isinstance(address, ipaddress.IPv6Address):
        return _embedded_ipv4(address) or address
    return address


def _effective_for_connect(address: IPAddress) -> IPAddress:
    """Where to connect: an IPv4-mapped answer is the IPv4 address itself (the same host)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address
