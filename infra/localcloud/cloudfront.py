"""The CloudFront distribution in front of the site and the API, as far as a request's answer shows it.

Which cache behaviour a path falls under (the ``CacheBehaviors`` in order, first match wins, else the
default; ``*`` is any run of characters, ``/`` included, ``?`` one character, case-sensitive), which
origin that behaviour sends it to, and the response headers policy
(``AWS::CloudFront::ResponseHeadersPolicy``) CloudFront adds to that behaviour's answers: security
headers and custom headers, each replacing the origin's own only when its ``Override`` is true, and
the removed headers. Everything is read from the template: there is no second list of headers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from localcloud.errors import TemplateError

Headers = list[tuple[str, str]]


def _flag(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


@dataclass(frozen=True)
class HeadersPolicy:
    """The headers one ``ResponseHeadersPolicyConfig`` adds (name, value, override) and removes."""

    added: tuple[tuple[str, str, bool], ...] = ()
    removed: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def from_config(cls, logical_id: str, config: dict[str, Any]) -> HeadersPolicy:
        if config.get("CorsConfig"):
            raise TemplateError(logical_id, "CorsConfig of a response headers policy is not emulated")
        security = config.get("SecurityHeadersConfig") or {}
        added: list[tuple[str, str, bool]] = []
        for key, (name, value_of) in _SECURITY_HEADERS.items():
            if key in security:
                added.append((name, value_of(security[key]), _flag(security[key].get("Override"))))
        for item in (config.get("CustomHeadersConfig") or {}).get("Items", []):
            added.append((item["Header"], str(item["Value"]), _flag(item.get("Override"))))
        removed = frozenset(
            item["Header"].lower() for item in (config.get("RemoveHeadersConfig") or {}).get("Items", [])
        )
        return cls(tuple(added), removed)

    def apply(self, headers: Headers) -> Headers:
        kept = [(name, value) for name, value in headers if name.lower() not in self.removed]
        for name, value, override in self.added:
            present = any(existing.lower() == name.lower() for existing, _ in kept)
            if present and not override:
                continue
            kept = [(existing, v) for existing, v in kept if existing.lower() != name.lower()]
            kept.append((name, value))
        return kept


def _hsts(config: dict[str, Any]) -> str:
    value = f"max-age={int(config['AccessControlMaxAgeSec'])}"
    if _flag(config.get("IncludeSubdomains")):
        value += "; includeSubDomains"
    if _flag(config.get("Preload")):
        value += "; preload"
    return value


def _xss(config: dict[str, Any]) -> str:
    if not _flag(config.get("Protection")):
        return "0"
    value = "1"
    if _flag(config.get("ModeBlock")):
        value += "; mode=block"
    if config.get("ReportUri"):
        value += f"; report={config['ReportUri']}"
    return value


_SECURITY_HEADERS: dict[str, tuple[str, Any]] = {
    "ContentSecurityPolicy": ("Content-Security-Policy", lambda c: str(c["ContentSecurityPolicy"])),
    "ContentTypeOptions": ("X-Content-Type-Options", lambda _c: "nosniff"),
    "FrameOptions": ("X-Frame-Options", lambda c: str(c["FrameOption"])),
    "ReferrerPolicy": ("Referrer-Policy", lambda c: str(c["ReferrerPolicy"])),
    "StrictTransportSecurity": ("Strict-Transport-Security", _hsts),
    "XSSProtection": ("X-XSS-Protection", _xss),
}


def path_pattern(pattern: str) -> re.Pattern[str]:
    """CloudFront's PathPattern as a regular expression (the leading ``/`` is optional in a pattern)."""
    parts = ("." if char == "?" else ".*" if char == "*" else re.escape(char) for char in pattern.lstrip("/"))
    return re.compile("/" + "".join(parts), re.DOTALL)


@dataclass(frozen=True)
class Behavior:
    pattern: re.Pattern[str] | None  # None: the default behaviour
    to_site: bool  # the S3 origin; otherwise a custom origin (the API)
    headers: HeadersPolicy | None


class Distribution:
    """One distribution's behaviours, read from its ``DistributionConfig``."""

    def __init__(
        self, logical_id: str, config: dict[str, Any], policies: dict[str, tuple[str, dict[str, Any]]]
    ) -> None:
        origins = {origin["Id"]: origin for origin in config.get("Origins", [])}

        def behavior(spec: dict[str, Any], pattern: re.Pattern[str] | None) -> Behavior:
            origin = origins.get(spec.get("TargetOriginId", ""))
            if origin is None:
                raise TemplateError(logical_id, f"TargetOriginId {spec.get('TargetOriginId')!r} is no origin")
            policy_id = spec.get("ResponseHeadersPolicyId")
            headers = None
            if policy_id:
                if policy_id not in policies:
                    raise TemplateError(
                        logical_id,
                        f"ResponseHeadersPolicyId {policy_id} is not a policy of this template"
                        " (localcloud does not know the managed ones)",
                    )
                headers = HeadersPolicy.from_config(*policies[policy_id])
            return Behavior(pattern, "S3OriginConfig" in origin, headers)

        self.default = behavior(config.get("DefaultCacheBehavior", {}), None)
        self.behaviors = [
            behavior(spec, path_pattern(spec["PathPattern"])) for spec in config.get("CacheBehaviors", [])
        ]
        default_origin = origins[config["DefaultCacheBehavior"]["TargetOriginId"]]
        # "<bucket>.s3.<region>.amazonaws.com": the bucket the default behaviour reads, if it is S3
        self.bucket = default_origin["DomainName"].split(".s3.", 1)[0] if self.default.to_site else None

    def behavior_for(self, path: str) -> Behavior:
        for behavior in self.behaviors:
            assert behavior.pattern is not None
            if behavior.pattern.fullmatch(path):
                return behavior
        return self.default
