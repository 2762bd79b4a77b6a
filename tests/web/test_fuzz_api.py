"""Hostile input against the whole app: schemathesis generates requests from openapi.yaml.

Every operation of the spec is called with valid and invalid requests (the app built by the
factory, with API keys and a generous rate limit on, so auth is exercised too). Each
response must not be a 5xx, must match the spec (status, content type, headers, body
schema), invalid input must be refused with a 4xx, and no request may take a second.

The number of examples is fixed and the generation derandomized, so CI runs the same cases
every time: ``FACTCHECK_FUZZ_EXAMPLES`` (default 25 per operation) raises it locally.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    ignored_auth,
    negative_data_rejection,
    not_a_server_error,
)
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from service import create_app

pytestmark = pytest.mark.fuzz

KEY = "fuzz-key-0123456789abcdef"
EXAMPLES = int(os.environ.get("FACTCHECK_FUZZ_EXAMPLES", "25"))
SECOND = 1.0
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
    ignored_auth,
]


PROJECT_ROOT = Path(__file__).resolve().parents[2]
# Built at collection: schemathesis turns each operation of the spec into its own test.
# (Its lazy pytest.from_fixture loader does not work with this pytest version.)
APP = create_app(
    {
        "FACTCHECK_CORPUS": PROJECT_ROOT / "seeds",
        "FACTCHECK_API_KEYS": KEY,
        "FACTCHECK_RATE_LIMIT": "1000000/minute",
    }
)
# The file the app serves at /openapi.yaml; requests go to the app over WSGI.
# schemathesis sends the key itself (so its auth check knows it is a valid one) and probes
# every /v1 operation without it, and with a wrong one, expecting 401.
CONFIG = schemathesis.Config.from_dict({"auth": {"openapi": {"bearerAuth": {"bearer": KEY}}}})
schema = schemathesis.openapi.from_path(PROJECT_ROOT / "openapi.yaml", config=CONFIG)
schema.app = APP


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_survives_hostile_requests(case) -> None:
    with warnings.catch_warnings():
        # schemathesis's WSGI transport reads a response without closing it; for a file
        # (GET /openapi.yaml) that leaves the file to the garbage collector. gunicorn closes.
        warnings.simplefilter("ignore", ResourceWarning)
        response = case.call()
    case.validate_response(response, checks=CHECKS)
    assert response.elapsed < SECOND, f"{case.method} {case.path} took {response.elapsed:.2f} s"
