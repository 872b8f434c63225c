"""web/ served as the CloudFront distribution of template.yaml serves it: S3 default, /api/* to the API."""

from __future__ import annotations

import requests
from localcloud.runtime import LocalCloud


def test_checkout_dashboard_and_sdk_come_from_the_bucket(gateway: LocalCloud, root) -> None:
    for path, content_type, source in (
        ("/checkout", "text/html", "web/checkout/index.html"),
        ("/checkout/", "text/html", "web/checkout/index.html"),
        ("/dashboard", "text/html", "web/dashboard/index.html"),
        ("/sdk/checkout.js", "javascript", "web/sdk/checkout.js"),
    ):
        response = requests.get(gateway.url + path, timeout=10)
        assert response.status_code == 200, path
        assert content_type in response.headers["Content-Type"], path
        assert response.content == (root / source).read_bytes(), path


def test_missing_file_is_a_404_and_api_paths_go_to_the_api(gateway: LocalCloud) -> None:
    assert requests.get(f"{gateway.url}/nope.js", timeout=10).status_code in (403, 404)
    # the demo shop is a merchant's site (SyncExclude): not on the gateway's origin
    assert requests.get(f"{gateway.url}/demo-shop/index.html", timeout=10).status_code in (403, 404)
    unknown_api = requests.get(f"{gateway.url}/api/v1/unknown", timeout=10)
    assert unknown_api.status_code == 403
    assert unknown_api.json() == {"message": "Missing Authentication Token"}
