"""The Helm chart ``deploy/helm/ardea``, rendered without Helm and validated offline.

Helm cannot be installed here (see ``fixtures/helm_render.py``), so the chart is rendered by
a small interpreter of exactly the template subset it uses, and every object is validated
against the Kubernetes JSON schemas (``kubernetes-validate``, strict: unknown fields fail).
What this cannot show: Helm's own parsing (``helm lint``) and an install on a cluster.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from fixtures.deploy_tools import validate_k8s
from fixtures.helm_render import TemplateError, render_chart, render_template

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "deploy" / "helm" / "ardea"
SECRETS = {
    "secrets": {
        "backendStoreUri": "postgresql+psycopg://ardea:pg-pass-123@pg.db.svc:5432/ardea",
        "awsAccessKeyId": "AKIAEXAMPLE",
        "awsSecretAccessKey": "s3-secret-456",
        "secretKey": "fernet-or-passphrase-789",
    }
}


def _objects(values: dict[str, Any] | None = None) -> dict[str, dict[str, Any]]:
    """The rendered objects by kind, each validated against its Kubernetes schema."""
    out: dict[str, dict[str, Any]] = {}
    for text in render_chart(CHART, values).values():
        for doc in yaml.safe_load_all(text):
            if doc:
                validate_k8s(doc)
                assert doc["kind"] not in out
                out[doc["kind"]] = doc
    return out


def _container(objects: dict[str, dict[str, Any]]) -> dict[str, Any]:
    (container,) = objects["Deployment"]["spec"]["template"]["spec"]["containers"]
    return dict(container)


def _env(container: dict[str, Any]) -> dict[str, Any]:
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container["env"]}


def test_chart_metadata() -> None:
    chart = yaml.safe_load((CHART / "Chart.yaml").read_text(encoding="utf-8"))
    assert chart["apiVersion"] == "v2" and chart["name"] == "ardea"
    assert {"version", "appVersion", "description"} <= set(chart)
    from ardea._core.version import __version__

    # The default image tag is the appVersion: it must name this release's image.
    assert chart["appVersion"] == __version__


def test_default_values_render_valid_objects_with_probes_and_resources() -> None:
    objects = _objects(SECRETS)
    assert set(objects) == {"Deployment", "Service", "Ingress", "Secret"}
    deployment = objects["Deployment"]
    assert deployment["spec"]["replicas"] == 2
    container = _container(objects)
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        assert container[probe]["httpGet"] == {"path": "/health", "port": "http"}
    assert container["resources"]["requests"] == {"cpu": "500m", "memory": "512Mi"}
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    pod = deployment["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert objects["Service"]["spec"]["selector"] == deployment["spec"]["selector"]["matchLabels"]
    rule = objects["Ingress"]["spec"]["rules"][0]
    assert rule["host"] == "ardea.example.com"
    assert rule["http"]["paths"][0]["backend"]["service"] == {
        "name": "ardea",
        "port": {"name": "http"},
    }
    # The Ingress host is an allowed Host header (the server answers 403 otherwise).
    assert _env(container)["ARDEA_ALLOWED_HOSTS"] == "ardea.example.com"


def test_the_container_runs_the_image_command_with_workers() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines()
    cmd = json.loads([line for line in dockerfile if line.startswith("CMD ")][-1][4:])
    container = _container(_objects({**SECRETS, "workers": 4}))
    assert container["command"] == [*cmd, "--workers", "4"]
    assert container["ports"][0]["containerPort"] == int(cmd[cmd.index("--port") + 1])


def test_secrets_reach_the_pod_only_through_the_secret() -> None:
    objects = _objects(SECRETS)
    secret = objects["Secret"]
    assert secret["stringData"] == {
        "backend-store-uri": SECRETS["secrets"]["backendStoreUri"],
        "aws-access-key-id": "AKIAEXAMPLE",
        "aws-secret-access-key": "s3-secret-456",
        "secret-key": "fernet-or-passphrase-789",
    }
    deployment_text = json.dumps(objects["Deployment"])
    for value in SECRETS["secrets"].values():
        assert value not in deployment_text
    env = _env(_container(objects))
    for name, key in (
        ("ARDEA_BACKEND_STORE_URI", "backend-store-uri"),
        ("AWS_ACCESS_KEY_ID", "aws-access-key-id"),
        ("AWS_SECRET_ACCESS_KEY", "aws-secret-access-key"),
        ("ARDEA_SECRET_KEY", "secret-key"),
    ):
        assert env[name]["secretKeyRef"]["name"] == "ardea"
        assert env[name]["secretKeyRef"]["key"] == key
    assert env["ARDEA_ARTIFACTS_DESTINATION"] == "s3://ardea-artifacts/artifacts"


def test_missing_secret_values_stop_the_render() -> None:
    with pytest.raises(TemplateError, match=r"secrets\.backendStoreUri is required"):
        render_chart(CHART)
    with pytest.raises(TemplateError, match=r"secrets\.secretKey is required"):
        render_chart(CHART, {"secrets": {"backendStoreUri": "postgresql://x"}})


def test_an_existing_secret_replaces_the_charts_own() -> None:
    objects = _objects({"secrets": {"create": False, "existingSecret": "ardea-prod"}})
    assert "Secret" not in objects
    env = _env(_container(objects))
    assert env["ARDEA_BACKEND_STORE_URI"]["secretKeyRef"]["name"] == "ardea-prod"
    assert env["ARDEA_SECRET_KEY"]["secretKeyRef"]["name"] == "ardea-prod"


def test_autoscaling_ingress_tls_s3_endpoint_and_extra_env() -> None:
    objects = _objects(
        {
            **SECRETS,
            "autoscaling": {"enabled": True, "minReplicas": 3, "maxReplicas": 9},
            "ingress": {"className": "nginx", "tlsSecretName": "ardea-tls", "host": "a.b.c"},
            "artifacts": {"s3": {"endpointUrl": "http://minio.storage.svc:9000"}},
            "extraEnv": [{"name": "ARDEA_ENABLE_WORKSPACES", "value": "true"}],
        }
    )
    hpa = objects["HorizontalPodAutoscaler"]
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (3, 9)
    assert hpa["spec"]["scaleTargetRef"]["name"] == objects["Deployment"]["metadata"]["name"]
    assert "replicas" not in objects["Deployment"]["spec"]  # the HPA owns it
    ingress = objects["Ingress"]["spec"]
    assert ingress["ingressClassName"] == "nginx"
    assert ingress["tls"] == [{"hosts": ["a.b.c"], "secretName": "ardea-tls"}]
    env = _env(_container(objects))
    assert env["ARDEA_S3_ENDPOINT_URL"] == "http://minio.storage.svc:9000"
    assert env["ARDEA_ENABLE_WORKSPACES"] == "true"


def test_ingress_off_and_another_release_name() -> None:
    texts = render_chart(CHART, {**SECRETS, "ingress": {"enabled": False}}, release="tracking")
    docs = [d for t in texts.values() for d in yaml.safe_load_all(t) if d]
    assert {d["kind"] for d in docs} == {"Deployment", "Service", "Secret"}
    assert {d["metadata"]["name"] for d in docs} == {"tracking"}


def test_the_renderer_refuses_what_it_does_not_implement() -> None:
    scope: dict[str, Any] = {"Values": {"a": [1]}}
    for template in (
        '{{ include "x" . }}',
        "{{ range .Values.a }}x{{ end }}",
        "{{ $x := 1 }}",
        "{{ upper .Values.a }}",
        "{{ if .Values.a }}open",
    ):
        with pytest.raises(TemplateError):
            render_template(template, scope)
    assert render_template("a {{- if .Values.a }} b {{- end -}} \n c", scope) == "a bc"
