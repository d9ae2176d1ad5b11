"""Webhook input checks and wire shapes."""

from __future__ import annotations

import pytest

from ardea._core.errors import InvalidArgumentError
from ardea.entities.webhook import (
    ALLOWED_EVENTS,
    Webhook,
    WebhookEvent,
    WebhookTestResult,
    parse_event,
    parse_events,
    validate_name,
    validate_secret,
    validate_status,
    validate_url,
    webhook_from_json,
    webhook_to_json,
)


def test_event_forms_are_equivalent() -> None:
    want = WebhookEvent("MODEL_VERSION_ALIAS", "CREATED")
    assert parse_event("model_version_alias.created") == want
    assert parse_event({"entity": "model_version_alias", "action": "CREATED"}) == want
    assert parse_event(want) == want
    assert str(want) == "model_version_alias.created"


def test_every_allowed_pair_parses_and_others_do_not() -> None:
    for entity, actions in ALLOWED_EVENTS.items():
        for action in ("CREATED", "UPDATED", "DELETED", "SET", "EXCEEDED"):
            if action in actions:
                assert parse_event({"entity": entity, "action": action}).entity == entity
            else:
                with pytest.raises(InvalidArgumentError):
                    parse_event({"entity": entity, "action": action})


@pytest.mark.parametrize("bad", [None, "", "a.b.c", 3, {"entity": 1, "action": "CREATED"}])
def test_bad_events(bad: object) -> None:
    with pytest.raises(InvalidArgumentError):
        parse_event(bad)


def test_event_lists_must_be_non_empty_lists() -> None:
    for bad in (None, [], "model_version.created", {"entity": "PROMPT"}):
        with pytest.raises(InvalidArgumentError):
            parse_events(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8080/x", "https://hooks.example.com/a?b=c", "http://[::1]/"]
)
def test_good_urls(url: str) -> None:
    assert validate_url(url) == url


@pytest.mark.parametrize(
    "url",
    ["", " ", "ftp://h/", "//h/x", "h/x", "http:///x", "http://h:0/", "http://h:x/",
     "https://h/\n", "data:text/plain,x", "http://h/" + "x" * 3000, "http://exämple.com/",
     "http://[::1/"],
)  # fmt: skip
def test_bad_urls(url: str) -> None:
    with pytest.raises(InvalidArgumentError):
        validate_url(url)


def test_names_statuses_secrets() -> None:
    assert validate_name("a.b_c-1") == "a.b_c-1"
    for bad in ("", "_a", "a_", "a" * 64, "a/b", 5):
        with pytest.raises(InvalidArgumentError):
            validate_name(bad)
    assert validate_status("disabled") == "DISABLED"
    with pytest.raises(InvalidArgumentError):
        validate_status("ON")
    assert validate_secret("") is None
    with pytest.raises(InvalidArgumentError):
        validate_secret("x" * 1001)


def test_wire_round_trip_has_no_secret() -> None:
    hook = Webhook("id-1", "n", "http://h/", (WebhookEvent("PROMPT", "CREATED"),), "ACTIVE",
                   None, 1, 2)  # fmt: skip
    doc = webhook_to_json(hook)
    assert "secret" not in doc and "description" not in doc
    assert doc["events"] == [{"entity": "PROMPT", "action": "CREATED"}]
    assert webhook_from_json(doc) == hook
    result = WebhookTestResult(False, error_message="down")
    assert result.to_json() == {"success": False, "error_message": "down"}
    assert WebhookTestResult.from_json(result.to_json()) == result
