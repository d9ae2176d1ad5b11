"""The Ardea server image (``Dockerfile``) and ``deploy/docker-compose.yml``, without Docker.

There is no Docker daemon here, so: the Dockerfile is linted with hadolint; its ``CMD`` is
run for real as a process (``--host`` and ``--port`` swapped for loopback and a free port),
and its ``HEALTHCHECK`` command is run against it; the compose file is validated against the
Compose specification's JSON schema, and the environment it gives the Ardea container is given
to that process, pointing at the test PostgreSQL and S3 server instead of compose's.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from fixtures.deploy_tools import compose_validator, hadolint
from fixtures.s3 import S3Server, s3_server  # noqa: F401  (a fixture)
from fixtures.server_process import free_port

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
COMPOSE = ROOT / "deploy" / "docker-compose.yml"
API = "/api/2.0/mlflow"


def _instructions(text: str) -> list[tuple[str, str]]:
    """The Dockerfile's instructions (continuation lines joined, comments dropped)."""
    out: list[tuple[str, str]] = []
    logical = ""
    for line in text.splitlines():
        if not logical and (not line.strip() or line.lstrip().startswith("#")):
            continue
        logical += line.rstrip("\\").strip() + " "
        if not line.endswith("\\"):
            word, _, rest = logical.strip().partition(" ")
            out.append((word.upper(), rest.strip()))
            logical = ""
    return out


def _final_stage() -> list[tuple[str, str]]:
    instructions = _instructions(DOCKERFILE.read_text(encoding="utf-8"))
    last_from = max(i for i, (word, _) in enumerate(instructions) if word == "FROM")
    return instructions[last_from:]


def _one(stage: list[tuple[str, str]], word: str) -> str:
    (value,) = [rest for w, rest in stage if w == word]
    return value


def test_dockerfile_passes_hadolint() -> None:
    lint = hadolint(DOCKERFILE)
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_dockerfile_is_multi_stage_and_runs_as_a_user() -> None:
    instructions = _instructions(DOCKERFILE.read_text(encoding="utf-8"))
    stages = [rest for word, rest in instructions if word == "FROM"]
    assert len(stages) == 3 and stages[0].endswith(" AS ui") and stages[1].endswith(" AS wheel")
    stage = _final_stage()
    user = _one(stage, "USER")
    assert user.split(":")[0] not in ("0", "root")
    assert "npm" not in " ".join(rest for _, rest in stage)  # no Node.js in the runtime
    assert _one(stage, "HEALTHCHECK").split(" CMD ", 1)[1].find("/health") > 0


def test_dockerignore_keeps_local_builds_out_and_sources_in() -> None:
    ignored = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    for must in (".git", ".venv", "**/node_modules", "ardea-data", "src/ardea/server/static/ui"):
        assert must in ignored
    copied = set()
    for word, rest in _instructions(DOCKERFILE.read_text(encoding="utf-8")):
        if word == "COPY" and not rest.startswith("--from"):
            copied.update(part.rstrip("/") for part in shlex.split(rest)[:-1])
    assert copied == {"ui/package.json", "ui/package-lock.json",
                      "ui/tools/openapi/package.json", "ui", "pyproject.toml",
                      "hatch_build.py", "README.md", "src"}  # fmt: skip
    for path in copied:
        assert (ROOT / path).exists() and path not in ignored


def _server_argv(port: int) -> list[str]:
    """The final stage's CMD, with ``ardea`` from this venv, on loopback and ``port``."""
    argv = json.loads(_one(_final_stage(), "CMD"))
    assert argv[:2] == ["ardea", "server"]
    assert argv[argv.index("--host") + 1] == "0.0.0.0"
    argv[0] = str(Path(sys.executable).with_name("ardea"))
    argv[argv.index("--host") + 1] = "127.0.0.1"
    argv[argv.index("--port") + 1] = str(port)
    return argv


def _healthcheck(port: int) -> subprocess.CompletedProcess[bytes]:
    """The image's HEALTHCHECK command, run here against ``port``."""
    argv = json.loads(_one(_final_stage(), "HEALTHCHECK").split(" CMD ", 1)[1])
    assert argv[0] == "python"
    argv[0] = sys.executable
    argv = [a.replace("127.0.0.1:5000/", f"127.0.0.1:{port}/") for a in argv]
    return subprocess.run(argv, capture_output=True, timeout=30)


class _Process:
    def __init__(self, argv: list[str], cwd: Path, env: dict[str, str]) -> None:
        self.log = cwd / "server.log"
        self._out = self.log.open("wb")
        self.proc = subprocess.Popen(
            argv, cwd=cwd, env=env, stdout=self._out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip

    def wait_healthy(self, url: str) -> None:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.log.read_text(errors="replace")
            try:
                if httpx.get(f"{url}/health", timeout=2).text == "OK":
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise AssertionError("server not healthy: " + self.log.read_text(errors="replace"))

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._out.close()


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ARDEA_", "MLFLOW_", "AWS_"))}
    return {**env, **extra}


@pytest.fixture
def image_workdir(tmp_path: Path) -> Path:
    """The image's WORKDIR, empty (a fresh volume)."""
    work = tmp_path / "var-lib-ardea"
    work.mkdir()
    return work


def test_image_command_serves_and_its_healthcheck_passes(image_workdir: Path) -> None:
    port = free_port()
    server = _Process(_server_argv(port), image_workdir, _clean_env())
    try:
        server.wait_healthy(f"http://127.0.0.1:{port}")
        check = _healthcheck(port)
        assert check.returncode == 0, check.stderr
        r = httpx.post(f"http://127.0.0.1:{port}{API}/experiments/create", json={"name": "img"})
        assert r.status_code == 200
    finally:
        server.stop()
    # With no configuration the data lands in the WORKDIR (the image's volume).
    assert (image_workdir / "ardea-data" / "ardea.db").is_file()
    assert _healthcheck(port).returncode != 0  # the check fails once the server is gone


def _compose() -> dict[str, Any]:
    return dict(yaml.safe_load(COMPOSE.read_text(encoding="utf-8")))


def test_compose_file_is_valid_against_the_compose_schema() -> None:
    validator = compose_validator()
    doc = _compose()
    errors = [e.message for e in validator.iter_errors(doc)]
    assert errors == []
    broken = {**doc, "services": {**doc["services"], "ardea": {**doc["services"]["ardea"]}}}
    broken["services"]["ardea"]["restart_policy"] = "always"  # not a compose key
    assert list(validator.iter_errors(broken))  # the schema check is real


_SECRETISH = re.compile(r".*(PASSWORD|SECRET|_KEY|ACCESS_KEY_ID|STORE_URI|ROOT_USER).*")
_REQUIRED_VAR = re.compile(r"\$\{[A-Z0-9_]+:\?[^}]*\}")


def test_compose_takes_every_secret_from_the_environment() -> None:
    services = _compose()["services"]
    assert set(services) == {"ardea", "postgres", "s3", "s3-bucket"}
    seen = 0
    for service in services.values():
        for name, value in (service.get("environment") or {}).items():
            if _SECRETISH.fullmatch(name):
                seen += 1
                assert _REQUIRED_VAR.search(str(value)), f"{name} must come from ${{VAR:?}}"
    assert seen >= 8
    ardea = services["ardea"]
    context = (COMPOSE.parent / ardea["build"]["context"]).resolve()
    assert context / ardea["build"]["dockerfile"] == DOCKERFILE
    assert ardea["depends_on"]["postgres"] == {"condition": "service_healthy"}
    assert "@postgres:5432/" in ardea["environment"]["ARDEA_BACKEND_STORE_URI"]
    assert ardea["environment"]["ARDEA_S3_ENDPOINT_URL"] == "http://s3:9000"


@pytest.fixture
def pg_schema_uri(postgres_uri: str) -> Iterator[str]:
    """``postgres_uri`` confined to a fresh schema of its own."""
    import sqlalchemy as sa

    from ardea.store.sql._db.engine import normalize_uri

    schema = "ardea_deploy_image"
    engine = sa.create_engine(normalize_uri(postgres_uri), poolclass=sa.pool.NullPool)
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in postgres_uri else "?"
    yield f"{postgres_uri}{sep}options=-csearch_path%3D{schema}"
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    engine.dispose()


def test_image_command_with_the_compose_environment_uses_postgres_and_s3(
    image_workdir: Path,
    pg_schema_uri: str,
    s3_server: S3Server,  # noqa: F811
) -> None:
    """The variables compose gives the Ardea container are the ones the server reads."""
    compose_env = _compose()["services"]["ardea"]["environment"]
    values = {
        "ARDEA_BACKEND_STORE_URI": pg_schema_uri,
        "ARDEA_ARTIFACTS_DESTINATION": s3_server.uri("deploy-image"),
        "ARDEA_S3_ENDPOINT_URL": s3_server.endpoint,
        "AWS_ACCESS_KEY_ID": s3_server.access_key_id,
        "AWS_SECRET_ACCESS_KEY": s3_server.secret_access_key,
        "AWS_REGION": s3_server.region,
        "ARDEA_SECRET_KEY": "deploy-test-passphrase",
        "ARDEA_ALLOWED_HOSTS": "localhost,127.0.0.1",
    }
    assert set(compose_env) == set(values)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = _Process(_server_argv(port), image_workdir, _clean_env(**values))
    try:
        server.wait_healthy(url)
        exp = httpx.post(f"{url}{API}/experiments/create", json={"name": "compose"}).json()
        put = httpx.put(
            f"{url}/api/2.0/mlflow-artifacts/artifacts/{exp['experiment_id']}/f.txt",
            content=b"in s3",
        )
        assert put.status_code == 200
        got = httpx.get(f"{url}/api/2.0/mlflow-artifacts/artifacts/{exp['experiment_id']}/f.txt")
        assert got.content == b"in s3"
    finally:
        server.stop()
    assert not (image_workdir / "ardea-data").exists()  # nothing on local disk
    import sqlalchemy as sa

    from ardea.store.sql._db.engine import normalize_uri

    engine = sa.create_engine(normalize_uri(pg_schema_uri), poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        names = {r[0] for r in conn.execute(sa.text("SELECT name FROM experiments"))}
    engine.dispose()
    assert "compose" in names
    import boto3

    s3 = boto3.client(
        "s3",
        endpoint_url=s3_server.endpoint,
        aws_access_key_id=s3_server.access_key_id,
        aws_secret_access_key=s3_server.secret_access_key,
        region_name=s3_server.region,
    )
    key = f"deploy-image/{exp['experiment_id']}/f.txt"
    assert s3.get_object(Bucket=s3_server.bucket, Key=key)["Body"].read() == b"in s3"


def test_ui_stage_copies_what_npm_ci_needs_before_running_it() -> None:
    """``npm ci`` runs before the UI sources are copied (a cached layer): it needs the
    lockfile and the package.json of every npm workspace the lockfile covers."""
    package = json.loads((ROOT / "ui" / "package.json").read_text(encoding="utf-8"))
    needed = {"ui/package.json", "ui/package-lock.json"} | {
        f"ui/{ws}/package.json" for ws in package.get("workspaces", [])
    }
    copied: set[str] = set()
    for word, rest in _instructions(DOCKERFILE.read_text(encoding="utf-8")):
        if word == "RUN" and "npm ci" in rest:
            break
        if word == "COPY":
            copied.update(shlex.split(rest)[:-1])
    assert needed <= copied


def test_mlflow_variable_names_configure_the_image_too(image_workdir: Path, tmp_path: Path) -> None:
    """``MLFLOW_BACKEND_STORE_URI`` / ``MLFLOW_ARTIFACTS_DESTINATION``, as for ``mlflow server``."""
    db, artifacts = tmp_path / "elsewhere.db", tmp_path / "elsewhere-artifacts"
    env = _clean_env(
        MLFLOW_BACKEND_STORE_URI=f"sqlite:///{db}", MLFLOW_ARTIFACTS_DESTINATION=str(artifacts)
    )
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = _Process(_server_argv(port), image_workdir, env)
    try:
        server.wait_healthy(url)
        exp = httpx.post(f"{url}{API}/experiments/create", json={"name": "m"}).json()
        put = httpx.put(
            f"{url}/api/2.0/mlflow-artifacts/artifacts/{exp['experiment_id']}/f.txt", content=b"x"
        )
        assert put.status_code == 200
    finally:
        server.stop()
    assert db.is_file() and (artifacts / exp["experiment_id"] / "f.txt").read_bytes() == b"x"
    assert not (image_workdir / "ardea-data").exists()
