"""``ardea artifacts``: list, download and log run artifacts (as ``mlflow artifacts`` does)."""

from __future__ import annotations

import json
import os
import posixpath
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ardea.cli._common import (
    CONTEXT,
    ArdeaGroup,
    client_for,
    output_option,
    render,
    tracking_uri_option,
)

if TYPE_CHECKING:
    from ardea.client import ArdeaClient
    from ardea.store.artifacts.base import ArtifactStore

__all__ = ["artifacts"]

_RUN_ID = click.option("--run-id", "-r", required=True, help="The run.")
_ARTIFACT_PATH = click.option(
    "--artifact-path", "-a", default=None, help="A path inside the run's artifacts."
)


@click.group("artifacts", cls=ArdeaGroup, context_settings=CONTEXT)
def artifacts() -> None:
    """List, download and upload run artifacts.

    Works on a data folder, a database or a server alike (--tracking-uri); artifacts are read
    and written wherever the run keeps them (a folder, an object store, the server's proxy).
    """


@artifacts.command("list")
@_RUN_ID
@_ARTIFACT_PATH
@output_option("json", "table", default="json")
@tracking_uri_option
def list_artifacts(
    run_id: str, artifact_path: str | None, output: str, tracking_uri: str | None
) -> None:
    """List the files and folders directly under a folder of a run's artifacts.

    JSON (the default, as in MLflow) is a list of {path, is_dir, file_size}.
    """
    with client_for(tracking_uri) as client:
        infos = client.list_artifacts(run_id, artifact_path)
    rows = [
        {"path": f.path, "is_dir": f.is_dir, **({} if f.is_dir else {"file_size": f.file_size})}
        for f in infos
    ]
    if output == "json":
        click.echo(json.dumps(rows, indent=2))
    else:
        click.echo(render(rows, ["path", "is_dir", "file_size"], "table"))


@artifacts.command("download")
@click.option("--run-id", "-r", default=None, help="The run (with --artifact-path).")
@_ARTIFACT_PATH
@click.option(
    "--artifact-uri",
    "-u",
    default=None,
    help="Instead of --run-id: runs:/<run_id>/<path>, models:/..., mlflow-artifacts:/..., "
    "s3://..., a folder...",
)
@click.option(
    "--dst-path",
    "-d",
    default=None,
    help="Local folder to download into (created). Default: a new temporary folder.",
)
@tracking_uri_option
def download_artifacts(
    run_id: str | None,
    artifact_path: str | None,
    artifact_uri: str | None,
    dst_path: str | None,
    tracking_uri: str | None,
) -> None:
    """Download an artifact file or folder; print its local path."""
    if (run_id is None) == (artifact_uri is None):
        raise click.UsageError("Give exactly one of --run-id and --artifact-uri.")
    with client_for(tracking_uri) as client:
        if run_id is not None:
            local = client.download_artifacts(run_id, artifact_path or "", dst_path)
        else:
            local = _download_uri(client, str(artifact_uri), dst_path)
    click.echo(local)


def _download_uri(client: ArdeaClient, uri: str, dst_path: str | None) -> str:
    """Download the file or folder at ``uri`` into ``dst_path`` (a new temp folder if None)."""
    from ardea.store.artifacts.resolve import split_artifact_uri

    if uri.startswith("runs:/"):
        run_id, _, path = uri[len("runs:/") :].strip("/").partition("/")
        return client.download_artifacts(run_id, path, dst_path)
    dst = Path(dst_path) if dst_path else Path(tempfile.mkdtemp(prefix="ardea-"))
    dst.mkdir(parents=True, exist_ok=True)
    if uri.lower().startswith("models:"):
        return client.download_model(uri, str(dst))
    parent, name = split_artifact_uri(uri)
    store = client.get_artifact_store(parent)
    if store.is_dir(name):
        _download_tree(store, name, dst / name)
    else:
        _download_file(store, name, dst / name)
    return str(dst / name)


def _download_tree(store: ArtifactStore, rel: str, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    from ardea._core.errors import InvalidArgumentError

    for info in store.list(rel):
        name = posixpath.basename(info.path.rstrip("/"))
        if name in ("", ".", "..") or "\\" in name:
            raise InvalidArgumentError(f"Refusing to download the artifact path {info.path!r}.")
        if info.is_dir:
            _download_tree(store, info.path, target / name)
        else:
            _download_file(store, info.path, target / name)


def _download_file(store: ArtifactStore, rel: str, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + ".part")
    with open(part, "wb") as f:
        for chunk in store.open(rel):
            f.write(chunk)
    os.replace(part, target)


@artifacts.command("log-artifact")
@click.option(
    "--local-file",
    "-l",
    required=True,
    type=click.Path(exists=True, dir_okay=False),
    help="The file to upload.",
)
@_RUN_ID
@_ARTIFACT_PATH
@tracking_uri_option
def log_artifact(
    local_file: str, run_id: str, artifact_path: str | None, tracking_uri: str | None
) -> None:
    """Upload a local file into a run's artifacts (under --artifact-path)."""
    with client_for(tracking_uri) as client:
        client.log_artifact(run_id, local_file, artifact_path)
    where = posixpath.join(artifact_path or "", os.path.basename(local_file))
    click.echo(f"Logged {local_file} to run {run_id} as {where}")


@artifacts.command("log-artifacts")
@click.option(
    "--local-dir",
    "-l",
    required=True,
    type=click.Path(exists=True, file_okay=False),
    help="The folder whose files to upload (recursively).",
)
@_RUN_ID
@_ARTIFACT_PATH
@tracking_uri_option
def log_artifacts(
    local_dir: str, run_id: str, artifact_path: str | None, tracking_uri: str | None
) -> None:
    """Upload a local folder's files into a run's artifacts (under --artifact-path)."""
    with client_for(tracking_uri) as client:
        client.log_artifacts(run_id, local_dir, artifact_path)
    click.echo(f"Logged the files of {local_dir} to run {run_id} under {artifact_path or '/'}")
