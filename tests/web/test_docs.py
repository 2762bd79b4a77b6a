"""``/docs``: Swagger UI from the installed package, nothing from another origin.

(That it renders with no network is shown in Chromium by tests/ops/test_browser.py.)
"""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from service.web.docs import ASSETS, SWAGGER_UI_DIST


def test_page_loads_only_its_own_files(client: FlaskClient) -> None:
    response = client.get("/docs")
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    urls = re.findall(r'(?:src|href|data-spec)="([^"]+)"', html)
    assert urls and all(url.startswith("/") and not url.startswith("//") for url in urls), urls
    assert "http://" not in html and "https://" not in html
    assert "<script>" not in html  # no inline script: the policy forbids them
    assert 'data-spec="/openapi.yaml"' in html
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src 'self'" in policy
    assert "connect-src 'self'" in policy


def test_assets_come_from_the_package(client: FlaskClient) -> None:
    for name in ASSETS:
        with client.get(f"/docs/{name}") as response:
            assert response.status_code == 200, name
            assert response.data == (SWAGGER_UI_DIST / name).read_bytes()
            assert response.headers["Cache-Control"].startswith("public, max-age=")
    bundle = (SWAGGER_UI_DIST / "swagger-ui-bundle.js").stat().st_size
    assert bundle > 500_000  # the real bundle, not a stub that loads from a CDN


def test_start_script_switches_the_online_validator_off(client: FlaskClient) -> None:
    response = client.get("/docs/init.js")
    assert response.mimetype == "text/javascript"
    script = response.get_data(as_text=True)
    assert "validatorUrl: null" in script  # else Swagger UI calls validator.swagger.io
    assert "SwaggerUIBundle(" in script


def test_unknown_asset_is_a_404_problem(client: FlaskClient) -> None:
    for name in ("LICENSE", "index.html", "..%2Fopenapi.yaml", "oauth2-redirect.html"):
        response = client.get(f"/docs/{name}")
        assert response.status_code == 404, name
        assert response.mimetype == "application/problem+json"
