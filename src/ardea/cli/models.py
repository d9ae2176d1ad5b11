"""``ardea models``: package and deploy models (``build-docker``, ``generate-k8s``)."""

from __future__ import annotations

import click

from ardea.cli._common import CONTEXT, ArdeaGroup
from ardea.cli.models_deploy import build_docker, generate_k8s

__all__ = ["models"]


@click.group("models", cls=ArdeaGroup, context_settings=CONTEXT)
def models() -> None:
    """Package and deploy models: a Docker build context, Kubernetes manifests."""


models.add_command(build_docker)
models.add_command(generate_k8s)
