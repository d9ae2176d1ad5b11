"""ardea.llm.sigv4 against cases of AWS's published SigV4 test suite (data/sigv4/)."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path

import pytest

from ardea.llm import sigv4

DATA = Path(__file__).parent / "data" / "sigv4"
CASES = sorted(p.name for p in DATA.iterdir() if p.is_dir())


def _request(case: str) -> tuple[str, str, dict[str, str], bytes]:
    raw = (DATA / case / "request.txt").read_text(encoding="utf-8")
    head, _, body = raw.partition("\n\n")
    first, *lines = head.splitlines()
    method, target, _ = first.split(" ")
    headers: dict[str, str] = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name] = value
    host = headers["Host"]
    return method, f"https://{host}{target}", headers, body.encode("utf-8")


def _expected_authorization(case: str) -> str:
    for line in (DATA / case / "header-signed-request.txt").read_text("utf-8").splitlines():
        if line.startswith("Authorization:"):
            return line.split(":", 1)[1]
    raise AssertionError(f"{case}: no Authorization line")


@pytest.mark.parametrize("case", CASES)
def test_signature_matches_the_aws_test_suite(case: str) -> None:
    ctx = json.loads((DATA / case / "context.json").read_text("utf-8"))
    method, url, headers, body = _request(case)
    creds = ctx["credentials"]
    added = sigv4.sign(
        method,
        url,
        headers,
        body,
        access_key=creds["access_key_id"],
        secret_key=creds["secret_access_key"],
        session_token=creds.get("token"),
        region=ctx["region"],
        service=ctx["service"],
        now=datetime.fromisoformat(ctx["timestamp"].replace("Z", "+00:00")),
        content_sha256_header=ctx["sign_body"],
    )
    assert added["Authorization"] == _expected_authorization(case)
    signed = {**{k: v for k, v in headers.items()}, **added}
    signed.pop("Authorization")
    payload = added.get("x-amz-content-sha256") or hashlib.sha256(body).hexdigest()
    creq, _ = sigv4.canonical_request(method, url, signed, payload)
    assert creq == (DATA / case / "header-canonical-request.txt").read_text("utf-8")


def test_the_suite_is_shipped() -> None:
    assert {"get-vanilla", "get-vanilla-with-session-token", "post-x-www-form-urlencoded"} <= set(
        CASES
    )


def test_encoded_path_segments_are_encoded_again_for_the_canonical_uri() -> None:
    # Bedrock model ids hold ':' (…-v1:0): sent as %3A, signed as %253A (as botocore does).
    creq, _ = sigv4.canonical_request(
        "POST",
        "https://bedrock-runtime.us-east-1.amazonaws.com/model/a.b-v1%3A0/converse",
        {"host": "bedrock-runtime.us-east-1.amazonaws.com"},
        "e3b0",
    )
    assert creq.splitlines()[1] == "/model/a.b-v1%253A0/converse"
