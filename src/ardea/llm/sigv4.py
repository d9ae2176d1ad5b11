"""AWS Signature Version 4 for request headers, on ``hashlib``/``hmac`` (no boto3).

:func:`sign` returns the headers to add (``X-Amz-Date``, ``Authorization``, and
``X-Amz-Security-Token`` / ``x-amz-content-sha256`` when asked). It follows AWS's published
algorithm for services other than S3: the canonical URI is the request's (already encoded)
path, normalized and URI-encoded once more; the query is sorted by encoded name then value;
header values are trimmed with inner runs of blanks collapsed. It is checked against cases of
AWS's SigV4 test suite (tests/unit/llm/data/sigv4/).
"""

from __future__ import annotations

import hashlib
import hmac
import posixpath
from collections.abc import Mapping
from datetime import datetime, timezone
from urllib.parse import quote, unquote, urlsplit

__all__ = ["ALGORITHM", "canonical_request", "sign", "signing_key"]

ALGORITHM = "AWS4-HMAC-SHA256"
_UNRESERVED = "-_.~"


def _hmac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()


def signing_key(secret_key: str, date: str, region: str, service: str) -> bytes:
    """The derived key: HMAC chain over ``date`` (YYYYMMDD), region, service, aws4_request."""
    key = _hmac(("AWS4" + secret_key).encode("utf-8"), date)
    key = _hmac(key, region)
    key = _hmac(key, service)
    return _hmac(key, "aws4_request")


def _canonical_path(path: str) -> str:
    if not path:
        return "/"
    normalized = posixpath.normpath(path)
    if normalized == ".":
        normalized = "/"
    if path.endswith("/") and not normalized.endswith("/"):
        normalized += "/"
    normalized = "/" + normalized.lstrip("/")  # "//x" normalizes to "//x" in posixpath
    return quote(normalized, safe="/" + _UNRESERVED)


def _canonical_query(query: str) -> str:
    pairs = []
    for item in query.split("&"):
        if not item:
            continue
        name, _, value = item.partition("=")
        pairs.append(
            (quote(unquote(name), safe=_UNRESERVED), quote(unquote(value), safe=_UNRESERVED))
        )
    return "&".join(f"{k}={v}" for k, v in sorted(pairs))


def _trim(value: str) -> str:
    return " ".join(value.strip().split())


def canonical_request(
    method: str, url: str, headers: Mapping[str, str], payload_hash: str
) -> tuple[str, str]:
    """``(canonical request, signed header names)`` of a request whose headers are final."""
    parts = urlsplit(url)
    canon = {k.lower(): _trim(v) for k, v in headers.items()}
    names = ";".join(sorted(canon))
    lines = [
        method.upper(),
        _canonical_path(parts.path),
        _canonical_query(parts.query),
        *(f"{k}:{canon[k]}" for k in sorted(canon)),
        "",
        names,
        payload_hash,
    ]
    return "\n".join(lines), names


def sign(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    access_key: str,
    secret_key: str,
    region: str,
    service: str,
    session_token: str | None = None,
    now: datetime | None = None,
    content_sha256_header: bool = False,
) -> dict[str, str]:
    """The headers that sign a request (add them to ``headers`` before sending).

    Args:
        method: HTTP method.
        url: Full URL as sent (path already percent-encoded as on the wire).
        headers: Headers to sign besides ``Host`` (added from ``url``) and ``X-Amz-*``.
        body: The exact body bytes.
        access_key: AWS access key id.
        secret_key: AWS secret access key.
        region: AWS region (``us-east-1``).
        service: Signing name (``bedrock`` for Bedrock runtime).
        session_token: Temporary credentials' token; sent and signed.
        now: Signing time (UTC); the current time by default.
        content_sha256_header: Also send and sign ``x-amz-content-sha256``.

    Returns:
        ``{"X-Amz-Date", "Authorization", ...}``.
    """
    when = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    amz_date = when.strftime("%Y%m%dT%H%M%SZ")
    date = amz_date[:8]
    payload_hash = hashlib.sha256(body).hexdigest()
    added = {"X-Amz-Date": amz_date}
    if session_token:
        added["X-Amz-Security-Token"] = session_token
    if content_sha256_header:
        added["x-amz-content-sha256"] = payload_hash
    to_sign = {k: v for k, v in headers.items() if k.lower() not in ("authorization", "host")}
    to_sign["host"] = headers.get("host") or headers.get("Host") or urlsplit(url).netloc
    to_sign.update(added)
    creq, names = canonical_request(method, url, to_sign, payload_hash)
    scope = f"{date}/{region}/{service}/aws4_request"
    string_to_sign = "\n".join(
        [ALGORITHM, amz_date, scope, hashlib.sha256(creq.encode("utf-8")).hexdigest()]
    )
    signature = hmac.new(
        signing_key(secret_key, date, region, service),
        string_to_sign.encode("utf-8"),
        hashlib.sha256,
    ).hexdigest()
    added["Authorization"] = (
        f"{ALGORITHM} Credential={access_key}/{scope}, SignedHeaders={names}, Signature={signature}"
    )
    return added
