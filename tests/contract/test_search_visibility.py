"""Searches made for a caller (``reading_as``) return only what it may read, filtered in SQL:
experiments, runs, logged models, registered models, prompts, versions and webhooks, every
visibility mode, and pages that stay whole; on SQLite, PostgreSQL and MySQL/MariaDB."""

from __future__ import annotations

import pytest

from ardea.auth.policy import Policy
from ardea.entities.auth import Permission, ResourceType, User
from ardea.entities.registry import PROMPT_TAG
from ardea.store.backend import Backend
from ardea.store.visibility import Visibility, VisibilityMode, reading_as

EXP = ResourceType.EXPERIMENT
P = Permission


@pytest.fixture
def backend(sql_backend: Backend) -> Backend:
    """Each SQL database (see ``sql_backend`` in conftest.py)."""
    return sql_backend


@pytest.fixture
def ada(backend: Backend) -> User:
    return backend.require_auth().create_user("ada", None)


def _experiments(backend: Backend, n: int) -> list[str]:
    return [backend.tracking.create_experiment(f"e{i}") for i in range(n)]


def _names(backend: Backend, visibility: Visibility | None, max_results: int = 1000) -> list[str]:
    out: list[str] = []
    token = None
    with reading_as(visibility):
        while True:
            page = backend.tracking.search_experiments(max_results=max_results, page_token=token)
            out += [e.name for e in page]
            token = page.token
            if not token:
                return sorted(out)


def test_granted_only_pages_over_readable_experiments(backend: Backend, ada: User) -> None:
    ids = _experiments(backend, 12)
    auth = backend.require_auth()
    for i in (1, 4, 7, 10):
        auth.grant(ada.id, EXP, ids[i], P.READ)
    auth.grant(ada.id, EXP, ids[2], P.NO_PERMISSIONS)
    visibility = Visibility.of(ada.id, "default", {"experiment": VisibilityMode.GRANTED_ONLY})
    assert _names(backend, visibility, max_results=1) == ["e1", "e10", "e4", "e7"]
    assert _names(backend, visibility, max_results=3) == ["e1", "e10", "e4", "e7"]
    assert len(_names(backend, None)) == 13  # and Default


def test_default_hides_denied_and_shut(backend: Backend, ada: User) -> None:
    ids = _experiments(backend, 4)
    auth = backend.require_auth()
    auth.grant(ada.id, EXP, ids[0], P.NO_PERMISSIONS)
    auth.grant(ada.id, EXP, ids[1], P.DENY)
    role = auth.create_role("r")
    auth.add_role_grant(role.id, EXP, ids[0], P.READ)  # a role lifts the user's own NO_PERMISSIONS
    auth.add_role_grant(role.id, EXP, ids[2], P.DENY)
    auth.assign_role(ada.id, role.id)
    visibility = Policy(auth).visibility(ada, [EXP])
    assert visibility is not None and visibility.mode("experiment") is VisibilityMode.DEFAULT
    assert _names(backend, visibility) == ["Default", "e0", "e3"]


def test_all_but_denied_and_nothing(backend: Backend, ada: User) -> None:
    ids = _experiments(backend, 3)
    auth = backend.require_auth()
    auth.grant(ada.id, EXP, ids[1], P.DENY)
    modes = {"experiment": VisibilityMode.ALL_BUT_DENIED}
    assert _names(backend, Visibility.of(ada.id, "default", modes)) == ["Default", "e0", "e2"]
    modes = {"experiment": VisibilityMode.NOTHING}
    assert _names(backend, Visibility.of(ada.id, "default", modes)) == []


def test_children_searches_see_readable_experiments_only(backend: Backend, ada: User) -> None:
    ids = _experiments(backend, 2)
    auth = backend.require_auth()
    auth.grant(ada.id, EXP, ids[0], P.READ)
    runs = [
        backend.tracking.create_run(experiment_id=i, user_id="u", start_time=1).info.run_id
        for i in ids
    ]
    models = [
        backend.tracking.create_logged_model(i, name=f"m{n}").model_id for n, i in enumerate(ids)
    ]
    visibility = Visibility.of(ada.id, "default", {"experiment": VisibilityMode.GRANTED_ONLY})
    with reading_as(visibility):
        found = backend.tracking.search_runs(ids)
        assert [r.info.run_id for r in found] == [runs[0]]
        logged = backend.tracking.search_logged_models(ids)
        assert [m.model_id for m in logged] == [models[0]]
    assert len(backend.tracking.search_runs(ids)) == 2


def test_registry_models_prompts_and_versions(backend: Backend, ada: User) -> None:
    reg = backend.registry
    for name in ("m1", "m2"):
        reg.create_registered_model(name)
        reg.create_model_version(name, "file:///tmp/x")
    for name in ("p1", "p2"):
        reg.create_registered_model(name, tags={PROMPT_TAG: "true"})
        reg.create_model_version(name, "file:///tmp/x", tags={PROMPT_TAG: "true"})
    auth = backend.require_auth()
    auth.grant(ada.id, ResourceType.REGISTERED_MODEL, "m2", P.READ)
    auth.grant(ada.id, ResourceType.PROMPT, "p1", P.EDIT)
    auth.grant(ada.id, ResourceType.REGISTERED_MODEL, "p2", P.READ)  # not a prompt grant
    modes = {
        "registered_model": VisibilityMode.GRANTED_ONLY,
        "prompt": VisibilityMode.GRANTED_ONLY,
    }
    prompts = f"tags.`{PROMPT_TAG}` = 'true'"
    with reading_as(Visibility.of(ada.id, "default", modes)):
        assert [m.name for m in reg.search_registered_models()] == ["m2"]
        assert [m.name for m in reg.search_registered_models(prompts)] == ["p1"]
        assert [v.name for v in reg.search_model_versions()] == ["m2"]
        assert [v.name for v in reg.search_model_versions(prompts)] == ["p1"]
        wire = reg.search_registered_models_wire()
        assert [m["name"] for m in wire] == ["m2"]
    assert [m.name for m in reg.search_registered_models()] == ["m1", "m2"]


def test_webhooks(backend: Backend, ada: User) -> None:
    hooks = backend.webhooks
    made = [
        hooks.create_webhook(f"h{i}", "https://hooks.example.com/x", ["model_version.created"])
        for i in range(3)
    ]
    backend.require_auth().grant(ada.id, ResourceType.WEBHOOK, made[1].webhook_id, P.MANAGE)
    modes = {"webhook": VisibilityMode.GRANTED_ONLY}
    with reading_as(Visibility.of(ada.id, "default", modes)):
        assert [w.name for w in hooks.list_webhooks()] == ["h1"]
    assert len(hooks.list_webhooks()) == 3


def test_other_workspace_grants_do_not_count(backend: Backend, ada: User) -> None:
    ids = _experiments(backend, 2)
    backend.require_auth().grant(ada.id, EXP, ids[0], P.READ, workspace="team-a")
    modes = {"experiment": VisibilityMode.GRANTED_ONLY}
    assert _names(backend, Visibility.of(ada.id, "default", modes)) == []
