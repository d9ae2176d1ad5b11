"""``ardea models build-docker`` and ``ardea models generate-k8s``: deploy a model server.

``build-docker`` writes a Dockerfile and its build context (no Docker daemon needed);
``generate-k8s`` writes Kubernetes manifests. Both run the scoring server
``ardea models serve`` (docs/deployment.md).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlsplit

import click

from ardea.cli._model_deploy import (
    CPU_QUANTITY,
    DNS_LABEL,
    MEMORY_QUANTITY,
    K8sSpec,
    k8s_manifests,
    model_dockerfile,
    model_requirements,
)
from ardea.cli.version import ardea_version

__all__ = ["build_docker", "generate_k8s"]

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]+:.*", re.S)
_PRINTABLE = re.compile(r"[^\x00-\x1f\x7f]+")
_IMAGE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/:@-]*")
DEFAULT_BASE_IMAGE = "python:3.11-slim-bookworm"


def _printable(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """No control characters: the value lands in a Dockerfile or a manifest line."""
    if value is not None and not _PRINTABLE.fullmatch(value):
        raise click.BadParameter("must be non-empty, without control characters or newlines")
    return value


def _local_model(model_uri: str) -> Path | None:
    """The model folder of a local ``model_uri`` (a path or ``file://``), else ``None``."""
    if model_uri.startswith("file:"):
        path = Path(unquote(urlsplit(model_uri).path))
    elif _SCHEME.fullmatch(model_uri):
        return None
    else:
        path = Path(model_uri)
    if not path.is_dir():
        raise click.BadParameter(f"{model_uri!r} is not a folder", param_hint="--model-uri")
    if not (path / "MLmodel").is_file():
        raise click.BadParameter(
            f"{model_uri!r} is not a model folder (it has no MLmodel file)",
            param_hint="--model-uri",
        )
    return path


def _positive(ctx: click.Context, param: click.Parameter, value: int | None) -> int | None:
    if value is not None and value < 1:
        raise click.BadParameter("must be at least 1")
    return value


def _matching(
    pattern: re.Pattern[str], what: str
) -> Callable[[click.Context, click.Parameter, str | None], str | None]:
    """An option callback that accepts only values ``pattern`` fully matches."""

    def check(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
        if value is not None and not pattern.fullmatch(value):
            raise click.BadParameter(f"{value!r} is not {what}")
        return value

    return check


@click.command("build-docker")
@click.option(
    "--model-uri", "-m", required=True, callback=_printable, help="A model folder or URI."
)
@click.option(
    "--output-directory",
    "-d",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to write the Dockerfile and build context (new or empty).",
)
@click.option("--workers", "-w", default=1, show_default=True, type=int, callback=_positive)
@click.option(
    "--base-image",
    default=DEFAULT_BASE_IMAGE,
    show_default=True,
    callback=_matching(_IMAGE, "an image reference (name[:tag][@digest])"),
)
@click.option(
    "--ardea-requirement",
    default=None,
    callback=_printable,
    help="How the image installs Ardea (a pip requirement). Default: this version of Ardea.",
)
@click.option(
    "--allow-pickle",
    is_flag=True,
    help="Serve with --allow-pickle: you trust the model's pickle files (see docs/models.md).",
)
def build_docker(
    model_uri: str,
    output_directory: Path,
    workers: int,
    base_image: str,
    ardea_requirement: str | None,
    allow_pickle: bool,
) -> None:
    """Write a Dockerfile and build context for a model server (`docker build` it later).

    A local model folder is copied into the context and baked into the image; any other
    model URI (models:/name@alias, runs:/...) is loaded when the container starts, from the
    ARDEA_TRACKING_URI given to `docker run`.
    """
    local = _local_model(model_uri)
    if output_directory.exists() and any(output_directory.iterdir()):
        raise click.BadParameter(
            f"{str(output_directory)!r} is not empty", param_hint="--output-directory"
        )
    output_directory.mkdir(parents=True, exist_ok=True)
    has_requirements = False
    if local is not None:
        shutil.copytree(local, output_directory / "model")
        has_requirements = (local / "requirements.txt").is_file()
    requirement = ardea_requirement or f"ardea[serving]=={ardea_version()}"
    (output_directory / "requirements.txt").write_text(
        model_requirements(requirement, has_requirements), encoding="utf-8"
    )
    dockerfile = model_dockerfile(
        model_uri,
        local_model=local is not None,
        workers=workers,
        base_image=base_image,
        allow_pickle=allow_pickle,
    )
    (output_directory / "Dockerfile").write_text(dockerfile, encoding="utf-8")
    (output_directory / ".dockerignore").write_text("**/__pycache__\n", encoding="utf-8")
    click.echo(f"Wrote {output_directory / 'Dockerfile'}; build it with:")
    click.echo(f"  docker build -t my-model {output_directory}")


@click.command("generate-k8s")
@click.option(
    "--model-uri", "-m", required=True, callback=_printable, help="The model URI to serve."
)
@click.option(
    "--name",
    required=True,
    callback=_matching(DNS_LABEL, "a Kubernetes name (lowercase letters, digits, '-')"),
    help="Name of the Deployment, Service and HorizontalPodAutoscaler.",
)
@click.option(
    "--image",
    callback=_matching(_IMAGE, "an image reference (name[:tag][@digest])"),
    help="Container image. Default: <name>:latest.",
)
@click.option("--replicas", default=1, show_default=True, type=int, callback=_positive)
@click.option(
    "--cpu",
    default="1",
    show_default=True,
    callback=_matching(CPU_QUANTITY, "a CPU quantity (500m, 1, 1.5)"),
)
@click.option(
    "--memory",
    default="1Gi",
    show_default=True,
    callback=_matching(MEMORY_QUANTITY, "a memory quantity (512Mi, 2Gi)"),
)
@click.option("--workers", "-w", default=1, show_default=True, type=int, callback=_positive)
@click.option("--min-replicas", type=int, callback=_positive, help="HPA. Default: --replicas.")
@click.option("--max-replicas", type=int, callback=_positive, help="HPA. Default: 4x min.")
@click.option("--target-cpu", default=70, show_default=True, type=click.IntRange(1, 100))
@click.option("--namespace", callback=_matching(DNS_LABEL, "a Kubernetes namespace"))
@click.option(
    "--tracking-uri", callback=_printable, help="ARDEA_TRACKING_URI for the server (models:/)."
)
@click.option(
    "--env-secret",
    callback=_matching(DNS_LABEL, "a Kubernetes Secret name"),
    help="A Secret whose keys become environment variables (tokens, credentials).",
)
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Default: stdout."
)
@click.option(
    "--allow-pickle",
    is_flag=True,
    help="Serve with --allow-pickle: you trust the model's pickle files (see docs/models.md).",
)
def generate_k8s(
    model_uri: str,
    name: str,
    image: str | None,
    replicas: int,
    cpu: str,
    memory: str,
    workers: int,
    min_replicas: int | None,
    max_replicas: int | None,
    target_cpu: int,
    namespace: str | None,
    tracking_uri: str | None,
    env_secret: str | None,
    output: Path | None,
    allow_pickle: bool,
) -> None:
    """Write a Deployment, Service and HorizontalPodAutoscaler for a model server.

    Probes are on /ping; CPU and memory are both requests and limits. Apply with
    `kubectl apply -f <output>`.
    """
    import yaml

    low = min_replicas or replicas
    high = max_replicas or 4 * low
    if high < low:
        raise click.BadParameter(f"must be at least {low}", param_hint="--max-replicas")
    spec = K8sSpec(
        model_uri=model_uri,
        name=name,
        image=image or f"{name}:latest",
        replicas=replicas,
        cpu=cpu,
        memory=memory,
        workers=workers,
        min_replicas=low,
        max_replicas=high,
        target_cpu_percent=target_cpu,
        namespace=namespace,
        tracking_uri=tracking_uri,
        env_secret=env_secret,
        allow_pickle=allow_pickle,
    )
    text = yaml.safe_dump_all(k8s_manifests(spec), sort_keys=False)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"Wrote {output}")
