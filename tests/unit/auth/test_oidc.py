"""``ardea.auth.oidc``: the configuration, and the client against a real provider on loopback.

The end-to-end flow through the server is in tests/unit/server/test_auth_oidc.py; here the
client's own checks: discovery, the key set (rotation, unknown keys, algorithms) and the
claims of ID tokens made directly with the provider's key.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ardea._core.errors import InvalidArgumentError, UnauthenticatedError, UpstreamError
from ardea.auth.oidc import GroupRole, OidcClient, OidcConfig, parse_group_roles
from ardea.auth.oidc_state import new_login_state

_TESTS = str(Path(__file__).resolve().parents[2])
if _TESTS not in sys.path:
    sys.path.insert(0, _TESTS)

from fixtures.oidc_provider import OidcProvider  # noqa: E402


@pytest.fixture
def idp() -> Iterator[OidcProvider]:
    with OidcProvider() as provider:
        yield provider


def _token(
    idp: OidcProvider, key: Any = None, header: dict[str, Any] | None = None, **claims: Any
) -> str:
    from joserfc import jwt

    now = int(time.time())
    body = {"iss": idp.url, "aud": "ardea", "sub": "s-1", "exp": now + 300, "iat": now}
    body.update(claims)
    head = header or {"alg": "RS256", "kid": idp.key.kid}
    return jwt.encode(head, {k: v for k, v in body.items() if v is not None}, key or idp.key)


def test_config_checks_issuer_and_client() -> None:
    config = OidcConfig("https://idp.example/realms/x/", "ardea", scopes=("email", "email"))
    assert config.issuer == "https://idp.example/realms/x"
    assert config.scopes == ("openid", "email")
    assert "secret" not in repr(OidcConfig("https://idp.example", "c", client_secret="secret"))
    assert OidcConfig("http://127.0.0.1:8080", "c").issuer == "http://127.0.0.1:8080"
    assert OidcConfig("http://localhost:8080", "c").issuer == "http://localhost:8080"
    for issuer in ("http://idp.example", "ftp://x", "idp.example", "https://idp.example/?a=1"):
        with pytest.raises(InvalidArgumentError, match="OIDC issuer"):
            OidcConfig(issuer, "c")
    with pytest.raises(InvalidArgumentError, match="client id"):
        OidcConfig("https://idp.example", "")


def test_group_role_mappings_parse() -> None:
    assert parse_group_roles(["ml=editors", " ops = team-a/readers ", "x=default/a/b"]) == (
        GroupRole("ml", "editors"),
        GroupRole("ops", "readers", "team-a"),
        GroupRole("x", "a/b"),
    )
    for bad in ("ml", "=editors", "ml=", "ml=team-a/", "ml=Bad_Workspace/r"):
        with pytest.raises(InvalidArgumentError):
            parse_group_roles([bad])


def test_discovery_is_cached_and_must_name_the_issuer(idp: OidcProvider) -> None:
    client = OidcClient(OidcConfig(idp.url, "ardea"))
    assert client.metadata()["token_endpoint"] == idp.url + "/token"
    client.metadata()
    assert idp.discovery_requests == 1
    idp.issuer_override = "https://someone-else.example"
    with pytest.raises(UpstreamError, match="another issuer"):
        OidcClient(OidcConfig(idp.url, "ardea")).metadata()


def test_an_unreachable_provider_is_an_upstream_error() -> None:
    from fixtures.server_process import free_port

    client = OidcClient(OidcConfig(f"http://127.0.0.1:{free_port()}", "ardea"))
    with pytest.raises(UpstreamError, match="could not be reached"):
        client.authorization_url(new_login_state("/"), "http://localhost/cb")


def test_id_token_checks(idp: OidcProvider) -> None:
    from joserfc.jwk import OctKey, RSAKey

    client = OidcClient(OidcConfig(idp.url, "ardea"))
    assert client.validate_id_token(_token(idp, nonce="n"), nonce="n")["sub"] == "s-1"
    assert client.validate_id_token(_token(idp, aud=["ardea"], nonce="n"), nonce="n")
    cases = {
        "signature": _token(idp, key=RSAKey.generate_key(2048), nonce="n"),
        "expired": _token(idp, exp=int(time.time()) - 600, nonce="n"),
        "claim nonce": _token(idp, nonce="other"),
        "claim aud": _token(idp, aud="other", nonce="n"),
        "claim iss": _token(idp, iss="https://evil.example", nonce="n"),
        "lacks the claim": _token(idp, sub=None, nonce="n"),
        "algorithm or key": _token(
            idp, key=OctKey.import_key("k" * 32), header={"alg": "HS256"}, nonce="n"
        ),
        "decoded": "not.a.token",
    }
    for reason, token in cases.items():
        with pytest.raises(UnauthenticatedError, match=reason):
            client.validate_id_token(token, nonce="n")
    # Several audiences need azp naming this client.
    with pytest.raises(UnauthenticatedError, match="azp"):
        client.validate_id_token(_token(idp, aud=["ardea", "other"], nonce="n"), nonce="n")
    assert client.validate_id_token(
        _token(idp, aud=["ardea", "other"], azp="ardea", nonce="n"), nonce="n"
    )


def test_a_rotated_key_is_fetched_again_but_not_too_often(idp: OidcProvider) -> None:
    offset = [0.0]
    client = OidcClient(OidcConfig(idp.url, "ardea"), clock=lambda: time.time() + offset[0])
    assert client.validate_id_token(_token(idp, nonce="n"), nonce="n")
    idp.rotate_key("test-key-2")
    rotated = _token(idp, nonce="n")
    with pytest.raises(UnauthenticatedError):  # just fetched: not again within 10 s
        client.validate_id_token(rotated, nonce="n")
    offset[0] = 11
    now = int(time.time() + offset[0])
    assert client.validate_id_token(_token(idp, nonce="n", iat=now, exp=now + 60), nonce="n")
