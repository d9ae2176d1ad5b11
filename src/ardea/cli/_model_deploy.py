"""What ``ardea models build-docker`` and ``generate-k8s`` write (pure functions, no I/O).

Both target the scoring server ``ardea models serve -m <uri> --host 0.0.0.0 --port 8080
--workers N`` (MLflow's flag names; 8080 is the port MLflow's model images listen on), with
``/ping`` as its health route.

- :func:`model_dockerfile` is a Dockerfile for a build context holding ``requirements.txt``
  (:func:`model_requirements`) and, for a model on local disk, the model folder in ``model/``.
  A model given by URI (``models:/name@alias``, ``runs:/...``, ``s3://...``) is loaded by the
  server when it starts, from ``ARDEA_TRACKING_URI`` given to ``docker run``.
- :func:`k8s_manifests` are a Deployment, a Service and a HorizontalPodAutoscaler.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

__all__ = [
    "CPU_QUANTITY",
    "DNS_LABEL",
    "IMAGE_MODEL_DIR",
    "MEMORY_QUANTITY",
    "SERVE_PORT",
    "K8sSpec",
    "k8s_manifests",
    "model_dockerfile",
    "model_requirements",
    "serve_command",
]

SERVE_PORT = 8080
"""The port the model server listens on inside its container."""

IMAGE_MODEL_DIR = "/opt/ardea/model"
"""Where ``build-docker`` puts a local model inside the image."""

DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")
"""A Kubernetes object name (RFC 1123 label), for ``re.fullmatch``."""

CPU_QUANTITY = re.compile(r"[0-9]+(\.[0-9]+)?m?")
"""A Kubernetes CPU quantity (``500m``, ``1``, ``1.5``), for ``re.fullmatch``."""

MEMORY_QUANTITY = re.compile(r"[0-9]+(\.[0-9]+)?([KMGTPE]i|[kMGTPE])?")
"""A Kubernetes memory quantity (``512Mi``, ``2Gi``, ``1G``), for ``re.fullmatch``."""

_LABEL = "app.kubernetes.io/name"


def serve_command(
    model_uri: str, workers: int, port: int = SERVE_PORT, *, allow_pickle: bool = False
) -> list[str]:
    """The scoring server's command line in a container (listening on every interface).

    ``allow_pickle`` adds ``--allow-pickle``: the image's author trusts the model's pickles.
    """
    command = [
        "ardea",
        "models",
        "serve",
        "-m",
        model_uri,
        "--host",
        "0.0.0.0",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    return [*command, "--allow-pickle"] if allow_pickle else command


def model_requirements(ardea_requirement: str, model_requirements_file: bool) -> str:
    """``requirements.txt`` of the build context: Ardea, then the model's own requirements."""
    lines = [
        "# Written by `ardea models build-docker`: the model server and the model's needs.",
        ardea_requirement,
    ]
    if model_requirements_file:
        lines.append("-r model/requirements.txt")
    return "\n".join(lines) + "\n"


def model_dockerfile(
    model_uri: str,
    *,
    local_model: bool,
    workers: int,
    base_image: str,
    allow_pickle: bool = False,
) -> str:
    """The Dockerfile of a model server for ``model_uri``.

    ``local_model``: the build context holds the model in ``model/``; it is copied into the
    image and served from :data:`IMAGE_MODEL_DIR`. Otherwise the server loads ``model_uri``
    when it starts.
    """
    served = IMAGE_MODEL_DIR if local_model else model_uri
    command = json.dumps(serve_command(served, workers, allow_pickle=allow_pickle))
    health = json.dumps(
        [
            "python",
            "-c",
            "import urllib.request; "
            f"urllib.request.urlopen('http://127.0.0.1:{SERVE_PORT}/ping', timeout=4)",
        ]
    )
    copy_model = f"COPY model/ {IMAGE_MODEL_DIR}/\n" if local_model else ""
    source = "the model in model/" if local_model else f"{model_uri}, loaded at start-up"
    runtime_env = (
        ""
        if local_model
        else "# Give the server its tracking server: docker run -e ARDEA_TRACKING_URI=http://...\n"
    )
    return f"""\
# syntax=docker/dockerfile:1
# A model server for {source}: written by `ardea models build-docker`.
#   docker build -t my-model .  &&  docker run -p {SERVE_PORT}:{SERVE_PORT} my-model
FROM {base_image}
ENV PYTHONDONTWRITEBYTECODE=1 \\
    PYTHONUNBUFFERED=1 \\
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN groupadd --system --gid 10001 ardea \\
    && useradd --system --uid 10001 --gid ardea --home-dir /opt/ardea --create-home ardea
WORKDIR /opt/ardea
COPY requirements.txt ./
{copy_model}RUN pip install --no-cache-dir -r requirements.txt
USER 10001:10001
EXPOSE {SERVE_PORT}
{runtime_env}HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \\
    CMD {health}
CMD {command}
"""


@dataclass(frozen=True)
class K8sSpec:
    """What ``ardea models generate-k8s`` was asked for."""

    model_uri: str
    name: str
    image: str
    replicas: int = 1
    cpu: str = "1"
    memory: str = "1Gi"
    workers: int = 1
    min_replicas: int = 1
    max_replicas: int = 4
    target_cpu_percent: int = 70
    namespace: str | None = None
    tracking_uri: str | None = None
    env_secret: str | None = None
    allow_pickle: bool = False


def _metadata(spec: K8sSpec) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": spec.name, "labels": {_LABEL: spec.name}}
    if spec.namespace:
        meta["namespace"] = spec.namespace
    return meta


def _probe(period: int, failures: int) -> dict[str, Any]:
    return {
        "httpGet": {"path": "/ping", "port": "http"},
        "periodSeconds": period,
        "timeoutSeconds": 5,
        "failureThreshold": failures,
    }


def _container(spec: K8sSpec) -> dict[str, Any]:
    quantities = {"cpu": spec.cpu, "memory": spec.memory}
    container: dict[str, Any] = {
        "name": "model",
        "image": spec.image,
        "command": serve_command(spec.model_uri, spec.workers, allow_pickle=spec.allow_pickle),
        "ports": [{"name": "http", "containerPort": SERVE_PORT, "protocol": "TCP"}],
        # Model loading can be slow: the startup probe holds the other two back until then.
        "startupProbe": _probe(5, 60),
        "readinessProbe": _probe(5, 2),
        "livenessProbe": _probe(10, 3),
        "resources": {"requests": quantities, "limits": dict(quantities)},
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "capabilities": {"drop": ["ALL"]},
        },
    }
    if spec.tracking_uri:
        container["env"] = [{"name": "ARDEA_TRACKING_URI", "value": spec.tracking_uri}]
    if spec.env_secret:
        container["envFrom"] = [{"secretRef": {"name": spec.env_secret}}]
    return container


def k8s_manifests(spec: K8sSpec) -> list[dict[str, Any]]:
    """A Deployment, a Service and a HorizontalPodAutoscaler serving ``spec.model_uri``."""

    # Fresh dicts everywhere: a shared one would come out as a YAML anchor and alias.
    def selector() -> dict[str, str]:
        return {_LABEL: spec.name}

    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": _metadata(spec),
        "spec": {
            "replicas": spec.replicas,
            "selector": {"matchLabels": selector()},
            "template": {
                "metadata": {"labels": selector()},
                "spec": {
                    "securityContext": {"runAsNonRoot": True, "runAsUser": 10001},
                    "containers": [_container(spec)],
                },
            },
        },
    }
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _metadata(spec),
        "spec": {
            "selector": selector(),
            "ports": [{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}],
        },
    }
    hpa = {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": _metadata(spec),
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": spec.name},
            "minReplicas": spec.min_replicas,
            "maxReplicas": spec.max_replicas,
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {
                        "name": "cpu",
                        "target": {
                            "type": "Utilization",
                            "averageUtilization": spec.target_cpu_percent,
                        },
                    },
                }
            ],
        },
    }
    return [deployment, service, hpa]
