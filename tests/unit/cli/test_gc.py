"""``ardea gc``: dry run, purge with artifacts (local folder and S3), ages, ids, refusals."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import Result

from ardea.cli.gc import parse_age

Ardea = Callable[..., Result]


def _ok(result: Result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture
def client(data: str) -> Iterator[Any]:
    from ardea.client import ArdeaClient

    c = ArdeaClient(data)
    yield c
    c.close()


def _run_folder(data: str, experiment_id: str, run_id: str) -> Path:
    return Path(data) / "artifacts" / experiment_id / run_id


def test_parse_age() -> None:
    assert parse_age("30d") == 30 * 86_400_000
    assert parse_age("1d2h3m4s") == ((24 + 2) * 3600 + 3 * 60 + 4) * 1000
    assert parse_age("1.5h") == 5_400_000
    for bad in ("", "3x", "d", "1h1d", "-1d"):
        with pytest.raises(click.BadParameter):
            parse_age(bad)


def test_dry_run_lists_and_removes_nothing(ardea: Ardea, seeded: Any, data: str) -> None:
    gone = seeded.run_ids[0]
    _ok(ardea("runs", "delete", "-r", gone))
    out = _ok(ardea("gc", "--dry-run"))
    assert "run" in out and gone in out and f"mlflow-artifacts:/1/{gone}" in out
    assert out.splitlines()[-1] == (
        "Dry run: would permanently delete 0 experiments, 1 run, 0 logged models."
    )
    assert _run_folder(data, "1", gone).is_dir()
    _ok(ardea("runs", "restore", "-r", gone))  # still restorable


def test_gc_purges_runs_and_experiments_with_their_artifacts(
    ardea: Ardea, seeded: Any, data: str, client: Any
) -> None:
    gone, kept = seeded.run_ids
    other = client.create_experiment("other")
    other_run = client.create_run(other, run_name="x").info.run_id
    client.log_text(other_run, "x", "x.txt")
    _ok(ardea("runs", "delete", "-r", gone))
    _ok(ardea("experiments", "delete", "-x", other))

    out = _ok(ardea("gc"))

    assert f"Run {gone} (r0) has been permanently deleted." in out
    assert f"Experiment {other} (other) has been permanently deleted." in out
    assert out.splitlines()[-1] == "Permanently deleted 1 experiment, 1 run, 0 logged models."
    assert not _run_folder(data, "1", gone).exists()
    assert not (Path(data) / "artifacts" / other).exists()
    assert (
        _run_folder(data, "1", kept) / "artifacts" / "notes" / "a.txt"
    ).read_text() == "notes of r1"
    listed = json.loads(_ok(ardea("runs", "list", "-x", "1", "-v", "all", "--output", "json")))
    assert [r["info"]["run_id"] for r in listed] == [kept]
    assert ardea("experiments", "get", "-x", other).exit_code == 1
    assert _ok(ardea("gc")) == "Nothing to delete.\n"


def test_older_than_and_named_ids(ardea: Ardea, seeded: Any, data: str, client: Any) -> None:
    a, b = seeded.run_ids
    model = client.store.create_logged_model(seeded.experiment_id, "m")
    _ok(ardea("runs", "delete", "-r", a, "-r", b))
    client.store.delete_logged_model(model.model_id)

    assert _ok(ardea("gc", "--older-than", "1d")) == "Nothing to delete.\n"
    recent = ardea("gc", "--older-than", "1d", "--run-ids", a)
    assert recent.exit_code == 1 and "deleted too recently" in recent.output

    out = _ok(ardea("gc", "--run-ids", f"{a}, ", "--logged-model-ids", model.model_id))
    assert out.splitlines()[-1] == "Permanently deleted 0 experiments, 1 run, 1 logged model."
    assert not _run_folder(data, "1", a).exists() and _run_folder(data, "1", b).exists()
    assert json.loads(_ok(ardea("runs", "describe", "-r", b)))["info"]["lifecycle_stage"] == (
        "deleted"
    )
    active = ardea("gc", "--experiment-ids", seeded.experiment_id)
    assert active.exit_code == 1 and "is active" in active.output
    unknown = ardea("gc", "--experiment-ids", "42")
    assert unknown.exit_code == 1 and "does not exist" in unknown.output
    assert ardea("gc", "--run-ids", ",").exit_code == 2


def test_a_server_url_is_refused_with_the_way_to_do_it(ardea: Ardea) -> None:
    for result in (
        ardea("gc", uri="http://127.0.0.1:5000"),
        ardea("gc", "--backend-store-uri", "https://u:pw@host", uri=None),
        ardea("gc", uri=None, env={"MLFLOW_TRACKING_URI": "http://127.0.0.1:5000"}),
    ):
        assert result.exit_code == 1
        assert "ardea gc needs the database" in result.output
        assert "--backend-store-uri" in result.output and "pw" not in result.output


def test_what_a_model_version_uses_is_kept(ardea: Ardea, seeded: Any, client: Any) -> None:
    used, free = seeded.run_ids
    client.registry.create_registered_model("fraud")
    client.registry.create_model_version("fraud", f"runs:/{used}/model", run_id=used)
    _ok(ardea("runs", "delete", "-r", used, "-r", free))
    result = ardea("gc")
    assert result.exit_code == 0
    assert f"Keeping Run {used} (r0): registered model 'fraud' version 1 uses it" in result.stderr
    assert result.stdout.splitlines()[-1].endswith("1 run, 0 logged models.")


def test_artifacts_that_cannot_be_deleted_keep_the_rows(
    ardea: Ardea, client: Any, tmp_path: Path
) -> None:
    location = tmp_path / "exp-artifacts"
    eid = client.create_experiment("local", artifact_location=str(location))
    rid = client.create_run(eid, run_name="r").info.run_id
    client.log_text(rid, "x", "x.txt")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious.txt").write_text("keep me")
    run_folder = location / rid
    (run_folder / "artifacts" / "x.txt").unlink()
    (run_folder / "artifacts").rmdir()
    run_folder.rmdir()
    run_folder.symlink_to(outside)  # a folder swapped for a link out of the store
    _ok(ardea("runs", "delete", "-r", rid))

    result = ardea("gc")

    assert result.exit_code == 1
    assert f"Kept Run {rid} (r)" in result.stderr and "could not be deleted" in result.output
    assert (outside / "precious.txt").read_text() == "keep me"
    assert client.get_run(rid).info.lifecycle_stage == "deleted"  # rows kept for a retry


def test_gc_deletes_object_store_artifacts(ardea: Ardea, client: Any, s3_env: Any) -> None:
    import uuid

    import obstore
    from obstore.store import S3Store

    prefix = f"gc-{uuid.uuid4().hex[:8]}"
    eid = client.create_experiment("s3", artifact_location=s3_env.uri(f"{prefix}/exp"))
    keep = client.create_experiment("s3-keep", artifact_location=s3_env.uri(f"{prefix}/keep"))
    for experiment_id in (eid, keep):
        rid = client.create_run(experiment_id, run_name="r").info.run_id
        client.log_text(rid, "data", "d/x.txt")
    store = S3Store(
        s3_env.bucket,
        endpoint=s3_env.endpoint,
        access_key_id=s3_env.access_key_id,
        secret_access_key=s3_env.secret_access_key,
        region=s3_env.region,
        client_options={"allow_http": True},
    )

    def keys(under: str) -> list[str]:
        return [o["path"] for batch in obstore.list(store, f"{prefix}/{under}") for o in batch]

    assert len(keys("exp")) == 1 and len(keys("keep")) == 1
    _ok(ardea("experiments", "delete", "-x", eid))
    _ok(ardea("gc", "-q"))
    assert keys("exp") == [] and len(keys("keep")) == 1


def test_a_missing_guessed_destination_is_refused_before_anything_goes(tmp_path: Path) -> None:
    from ardea.cli.gc import _missing_destination
    from ardea.store.purge import Purgeable, PurgePlan

    proxied = Purgeable("run", "r1", "r", "1", 1, ("mlflow-artifacts:/1/r1",))
    on_s3 = Purgeable("run", "r2", "r", "1", 1, ("s3://b/1/r2",))
    absent = str(tmp_path / "no-such-destination")
    message = _missing_destination(PurgePlan(runs=(proxied, on_s3)), absent)
    assert message is not None
    assert message.startswith("The artifacts of 1 of these")
    assert "--artifacts-destination" in message
    assert _missing_destination(PurgePlan(runs=(on_s3,)), absent) is None
    assert _missing_destination(PurgePlan(runs=(proxied,)), str(tmp_path)) is None
    assert _missing_destination(PurgePlan(runs=(proxied,)), "s3://bucket/ardea") is None


def test_a_data_folder_without_artifacts_needs_no_destination(ardea: Ardea, client: Any) -> None:
    eid = client.create_experiment("bare")
    rid = client.create_run(eid, run_name="r").info.run_id
    client.delete_run(rid)
    out = _ok(ardea("gc"))
    assert out.splitlines()[-1] == "Permanently deleted 0 experiments, 1 run, 0 logged models."
