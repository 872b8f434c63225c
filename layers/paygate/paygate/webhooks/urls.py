"""Where a webhook may go. Live mode: HTTPS to a public address only (no loopback, private,
link-local, reserved or metadata addresses: SSRF). Test mode also allows http and loopback, so a
receiver on the developer's machine works."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from paygate.core.errors import BadRequest


def check_url(url: str, mode: str, field: str = "url") -> None:
    try:
        parts = urlsplit(url)
        port = parts.port  # raises on a port that is not a number in 0..65535
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
