"""Delivery signatures: the same bytes as MLflow's own signer, and a strict verifier."""

from __future__ import annotations

import pytest

from ardea.webhooks.signing import sign, verify_signature

BODY = '{"entity": "model_version", "action": "created", "data": {"name": "m"}}'


def test_signature_matches_mlflows_signer() -> None:
    delivery = pytest.importorskip("mlflow.webhooks.delivery")
    expected = delivery._generate_hmac_signature("s3cret", "d-1", "1700000000", BODY)
    assert sign("s3cret", "d-1", "1700000000", BODY) == expected
    assert sign("s3cret", "d-1", "1700000000", BODY.encode()) == expected
    assert expected.startswith("v1,")


def test_verify_accepts_only_the_exact_delivery() -> None:
    sig = sign("k", "id", "1000", BODY)
    assert verify_signature("k", "id", "1000", BODY, sig, now=1000)
    assert not verify_signature("other", "id", "1000", BODY, sig, now=1000)
    assert not verify_signature("k", "id2", "1000", BODY, sig, now=1000)
    assert not verify_signature("k", "id", "1000", BODY + " ", sig, now=1000)
    assert not verify_signature("k", "id", "1000", BODY, sig.replace("v1,", "v2,"), now=1000)


def test_verify_rejects_stale_or_bad_timestamps() -> None:
    sig = sign("k", "id", "1000", BODY)
    assert not verify_signature("k", "id", "1000", BODY, sig, now=1000 + 301)
    assert verify_signature("k", "id", "1000", BODY, sig, now=1000 + 301, max_age_seconds=None)
    bad = sign("k", "id", "soon", BODY)
    assert not verify_signature("k", "id", "soon", BODY, bad, now=1000)
