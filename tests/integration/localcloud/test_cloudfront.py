"""CloudFront's rules as localcloud applies them: path patterns, behaviour order, a response headers
policy's Override and removals. (The product's own policies, on real answers: gateway/test_site.py.)"""

from __future__ import annotations

from typing import Any

import pytest
from localcloud.cloudfront import Distribution, HeadersPolicy, path_pattern
from localcloud.errors import TemplateError


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("/api/*", "/api/v1/orders", True),
        ("/api/*", "/api/", True),
        ("/api/*", "/api", False),
        ("/api/*", "/apix/v1", False),
        ("api/*", "/api/v1", True),  # the leading slash is optional in a PathPattern
        ("/checkout*", "/checkout", True),
        ("/checkout*", "/checkout/checkout.js", True),
        ("/checkout*", "/dashboard/checkout", False),
        ("/img/?.png", "/img/a.png", True),
        ("/img/?.png", "/img/ab.png", False),
        ("/a.js", "/aXjs", False),  # "." is a dot, not any character
        ("/API/*", "/api/v1", False),  # case-sensitive
    ],
)
def test_path_patterns_match_as_cloudfront_does(pattern: str, path: str, matches: bool) -> None:
    assert bool(path_pattern(pattern).fullmatch(path)) is matches


def test_override_decides_whether_the_origins_header_stands() -> None:
    policy = HeadersPolicy.from_config(
        "Policy",
        {
            "SecurityHeadersConfig": {
                "FrameOptions": {"FrameOption": "DENY", "Override": True},
                "ReferrerPolicy": {"ReferrerPolicy": "no-referrer", "Override": False},
                "StrictTransportSecurity": {
                    "AccessControlMaxAgeSec": 600,
                    "IncludeSubdomains": "true",
                    "Preload": True,
                    "Override": True,
                },
                "XSSProtection": {"Protection": True, "ModeBlock": True, "Override": True},
                "ContentTypeOptions": {"Override": True},
            },
            "CustomHeadersConfig": {
                "Items": [{"Header": "Cache-Control", "Value": "no-store", "Override": False}]
            },
            "RemoveHeadersConfig": {"Items": [{"Header": "X-Powered-By"}]},
        },
    )
    origin = [
        ("x-frame-options", "SAMEORIGIN"),
        ("Referrer-Policy", "origin"),
        ("Cache-Control", "max-age=60"),
        ("X-Powered-By", "something"),
        ("Content-Type", "text/html"),
    ]
    answered = dict(policy.apply(origin))
    assert answered == {
        "X-Frame-Options": "DENY",  # Override true: replaced (names compare case-insensitively)
        "Referrer-Policy": "origin",  # Override false: the origin's stands
        "Cache-Control": "max-age=60",
        "Strict-Transport-Security": "max-age=600; includeSubDomains; preload",
        "X-XSS-Protection": "1; mode=block",
        "X-Content-Type-Options": "nosniff",
        "Content-Type": "text/html",
    }
    assert dict(policy.apply([]))["Cache-Control"] == "no-store"  # absent at the origin: added


def distribution(policies: dict[str, tuple[str, dict[str, Any]]], **default: Any) -> Distribution:
    return Distribution(
        "Cdn",
        {
            "Origins": [
                {"Id": "web", "DomainName": "site-bucket.s3.us-east-1.amazonaws.com", "S3OriginConfig": {}},
                {"Id": "api", "DomainName": "x.execute-api.amazonaws.com", "CustomOriginConfig": {}},
            ],
            "DefaultCacheBehavior": {"TargetOriginId": "web", **default},
            "CacheBehaviors": [
                {"PathPattern": "/api/special", "TargetOriginId": "web", "ResponseHeadersPolicyId": "p1"},
                {"PathPattern": "/api/*", "TargetOriginId": "api"},
            ],
        },
        policies,
    )


def test_the_first_matching_behaviour_wins_and_the_default_takes_the_rest() -> None:
    cdn = distribution({"p1": ("One", {"CustomHeadersConfig": {"Items": []}})})
    assert cdn.bucket == "site-bucket"
    assert cdn.behavior_for("/api/special").to_site and cdn.behavior_for("/api/special").headers is not None
    assert not cdn.behavior_for("/api/orders").to_site
    assert cdn.behavior_for("/dashboard").to_site and cdn.behavior_for("/dashboard").headers is None


def test_a_policy_that_is_not_in_the_template_or_cors_is_named_at_start() -> None:
    with pytest.raises(TemplateError, match="not a policy of this template"):
        distribution({"p1": ("One", {})}, ResponseHeadersPolicyId="67f7725c-managed")
    with pytest.raises(TemplateError, match="CorsConfig"):
        distribution({"p1": ("One", {"CorsConfig": {"AccessControlAllowOrigins": {"Items": ["*"]}}})})
