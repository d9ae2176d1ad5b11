"""`import ardea` stays light: no web framework, ORM, HTTP client or data-science stack.

numpy and scipy are core dependencies for ardea.evaluation.stats, which loads them on first use.
"""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = (
    "fastapi",
    "starlette",
    "sqlalchemy",
    "alembic",
    "httpx",
    "aiohttp",
    "pandas",
    "sklearn",
    "uvicorn",
    "numpy",
    "scipy",
)

_PROBE = """
import json, sys, time
t0 = time.perf_counter()
import {module}
elapsed = time.perf_counter() - t0
print(json.dumps({{"seconds": elapsed, "modules": sorted(sys.modules)}}))
"""


def _probe(module: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", _PROBE.format(module=module)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _heavy_loaded(modules: list[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in HEAVY)


def test_import_ardea_loads_nothing_heavy() -> None:
    result = _probe("ardea")
    print(f"import ardea: {result['seconds'] * 1000:.1f} ms")
    assert _heavy_loaded(result["modules"]) == []


def test_light_subpackages_load_nothing_heavy() -> None:
    light = (
        "ardea.entities",
        "ardea._core.errors",
        "ardea.api.mlflow_json",
        "ardea.evaluation.stats",
        "ardea.llm",
    )
    for module in light:
        result = _probe(module)
        print(f"import {module}: {result['seconds'] * 1000:.1f} ms")
        assert _heavy_loaded(result["modules"]) == [], module


def test_the_llm_client_loads_httpx_only_with_its_first_call() -> None:
    # ardea.llm's names load on first use; building a client sends nothing, so needs no httpx.
    probe = "ardea.llm; ardea.llm.get_client('openai:/gpt-4o', api_key='k'); import ardea.tracing"
    modules = _probe(probe)["modules"]
    assert [m for m in modules if m.split(".")[0] in ("httpx", "aiohttp", "jsonschema")] == []


def test_the_server_app_leaves_auth_and_client_libraries_to_whoever_uses_them() -> None:
    # A server without --auth never hashes a password nor speaks to an identity provider;
    # these load on first use (ardea.auth.passwords, ardea.auth.oidc).
    modules = _probe("ardea.server.app")["modules"]
    loaded = sorted(m for m in modules if m.split(".")[0] in ("argon2", "authlib", "httpx"))
    assert loaded == []


def test_the_server_app_loads_no_data_science_stack() -> None:
    # numpy and scipy (about 70 MB of a server's memory) serve the statistics of a few
    # endpoints, which load them on first use; pandas and sklearn serve none at start.
    modules = _probe("ardea.server.app")["modules"]
    loaded = {m.split(".")[0] for m in modules} & {"numpy", "scipy", "pandas", "sklearn"}
    assert sorted(loaded) == []


def test_import_ardea_loads_no_instrumented_library() -> None:
    # Every library ardea.autolog() instruments is installed in the test environment; the
    # registry names them, and importing ardea (or reading the registry) loads none.
    from ardea.autolog._registry import BUILT_IN

    libraries = {row.library.split(".")[0] for row in BUILT_IN}
    # Some packages' .pth files import namespace packages (google, google.cloud) at start-up.
    bare = set(_probe("sys")["modules"])
    modules = _probe("ardea; ardea.autolog._registry; ardea.autolog()")["modules"]
    assert sorted(m for m in modules if m.split(".")[0] in libraries and m not in bare) == []
