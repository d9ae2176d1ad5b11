"""``ardea server`` and ``ardea ui``: run the tracking server (FastAPI on uvicorn)."""

from __future__ import annotations

import logging
import logging.config
import os
import secrets
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import click

from ardea._core.env import (
    ARDEA_ARTIFACTS_DESTINATION,
    ARDEA_BACKEND_STORE_URI,
    ARDEA_LOG_FORMAT,
    DEFAULT_DATA_DIR,
    MLFLOW_ARTIFACTS_DESTINATION,
    MLFLOW_BACKEND_STORE_URI,
)
from ardea.cli._auth import stdin_is_terminal

__all__ = ["server", "ui"]


def _default_backend() -> str:
    return "sqlite:///" + str((Path.cwd() / DEFAULT_DATA_DIR / "ardea.db").resolve())


def _default_artifacts() -> str:
    return str((Path.cwd() / DEFAULT_DATA_DIR / "artifacts").resolve())


def _csv(value: str | None) -> tuple[str, ...]:
    return tuple(x.strip() for x in (value or "").split(",") if x.strip())


def _configure_logging(level: int) -> None:
    from ardea.server.logs import json_logs, log_config

    if json_logs():  # ardea's and uvicorn's loggers, one JSON object a line
        logging.config.dictConfig(log_config(True, logging.getLevelName(level)))
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("ardea")
    logger.addHandler(handler)
    logger.setLevel(level)


def _log_format_option(f: Any) -> Any:
    """``--log-format text|json`` (``ARDEA_LOG_FORMAT``)."""
    return click.option(
        "--log-format",
        type=click.Choice(["text", "json"], case_sensitive=False),
        default="text",
        show_default=True,
        envvar="ARDEA_LOG_FORMAT",
        help="Server log lines: plain text, or one JSON object a line (time, level, logger, "
        "message, request id, route, status, duration, workspace, user, exception); with "
        "--access-log, one line per request. See docs/operations.md.",
    )(f)


def _common_options(f: Any) -> Any:
    """The options ``ardea server`` and ``ardea ui`` share (no ``-h``: that is help)."""
    options = [
        click.option(
            "--host", default="127.0.0.1", show_default=True, help="Interface (no -h: help)."
        ),
        click.option("--port", "-p", default=5000, show_default=True, type=int, help="TCP port."),
        click.option(
            "--backend-store-uri",
            default=None,
            envvar=[ARDEA_BACKEND_STORE_URI, MLFLOW_BACKEND_STORE_URI],
            help="Tracking database URI (env ARDEA_BACKEND_STORE_URI). "
            "Default: sqlite under ./ardea-data/ardea.db.",
        ),
        click.option(
            "--default-artifact-root",
            default="mlflow-artifacts:/",
            show_default=True,
            help="Artifact root of new experiments.",
        ),
        click.option(
            "--artifacts-destination",
            default=None,
            envvar=[ARDEA_ARTIFACTS_DESTINATION, MLFLOW_ARTIFACTS_DESTINATION],
            help="Where proxied artifacts are stored: a folder or s3://, gs://, az:// URI "
            "(env ARDEA_ARTIFACTS_DESTINATION). Default: ./ardea-data/artifacts.",
        ),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _auth_options(f: Any) -> Any:
    """``ardea server``'s authentication and single sign-on options (see docs/auth.md)."""
    options = [
        click.option(
            "--auth",
            is_flag=True,
            envvar="ARDEA_AUTH",
            help="Require authentication: users, tokens and login sessions (docs/auth.md). "
            "The first admin comes from ARDEA_ADMIN_USERNAME/ARDEA_ADMIN_PASSWORD (or "
            "MLFLOW_AUTH_ADMIN_PASSWORD) or a prompt.",
        ),
        click.option(
            "--app-name",
            default=None,
            metavar="NAME",
            help="MLflow's spelling: --app-name basic-auth is --auth (no other app exists).",
        ),
        click.option(
            "--auth-default-permission",
            envvar="ARDEA_AUTH_DEFAULT_PERMISSION",  # _core.env.ARDEA_AUTH_DEFAULT_PERMISSION
            default="READ",
            show_default=True,
            type=click.Choice(["READ", "USE", "EDIT", "MANAGE", "NO_PERMISSIONS"]),
            help="What a signed-in user may do with a resource nobody granted it anything "
            "on (MLflow's default_permission); a workspace's own default wins.",
        ),
        click.option(
            "--password-login/--no-password-login",
            default=True,
            show_default=True,
            envvar="ARDEA_AUTH_PASSWORD_LOGIN",
            help="Allow the web UI's password login (turning it off needs --oidc-issuer).",
        ),
        click.option(
            "--oidc-issuer",
            envvar="ARDEA_OIDC_ISSUER",
            metavar="URL",
            help="OpenID Connect issuer for single sign-on (discovery at "
            "URL/.well-known/openid-configuration).",
        ),
        click.option("--oidc-client-id", envvar="ARDEA_OIDC_CLIENT_ID", help="The OIDC client id."),
        click.option(
            "--oidc-client-secret-file",
            envvar="ARDEA_OIDC_CLIENT_SECRET_FILE",
            metavar="PATH",
            help="A file holding the OIDC client secret (or set ARDEA_OIDC_CLIENT_SECRET; "
            "neither: a public client with PKCE only).",
        ),
        click.option(
            "--oidc-scopes",
            envvar="ARDEA_OIDC_SCOPES",
            default="openid profile email",
            show_default=True,
            help="Scopes to ask for, space- or comma-separated.",
        ),
        click.option(
            "--oidc-groups-claim",
            envvar="ARDEA_OIDC_GROUPS_CLAIM",
            default="groups",
            show_default=True,
            help="The ID token claim that lists the user's groups.",
        ),
        click.option(
            "--oidc-username-claim",
            envvar="ARDEA_OIDC_USERNAME_CLAIM",
            default="preferred_username,email",
            show_default=True,
            help="Claims tried in order for the username, comma-separated.",
        ),
        click.option(
            "--oidc-group-role",
            "oidc_group_roles",
            multiple=True,
            metavar="GROUP=ROLE",
            help="Members of GROUP get ROLE (GROUP=WORKSPACE/ROLE for another workspace than "
            "'default'); re-checked at every login. Repeatable; ARDEA_OIDC_GROUP_ROLES takes "
            "a comma-separated list.",
        ),
        click.option(
            "--oidc-admin-group",
            envvar="ARDEA_OIDC_ADMIN_GROUP",
            help="Members of this group are admins (and others are not).",
        ),
        click.option(
            "--oidc-redirect-base-url",
            envvar="ARDEA_OIDC_REDIRECT_BASE_URL",
            metavar="URL",
            help="The server's external URL, e.g. https://ardea.example.com; the redirect URI "
            "to register is URL/api/3.0/ardea/auth/oidc/callback. Default: the URL the "
            "browser used.",
        ),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _words(value: str | None) -> tuple[str, ...]:
    return tuple(w for w in (value or "").replace(",", " ").split() if w)


def _auth_settings(options: dict[str, Any]) -> dict[str, Any]:
    """The ``ServerSettings`` fields of the auth options (defaults when absent, as for ui)."""
    from ardea._core import env

    roles = tuple(options.get("oidc_group_roles") or ())
    roles = roles or _csv(env.get(env.ARDEA_OIDC_GROUP_ROLES))
    return {
        "auth_enabled": bool(options.get("auth")),
        "auth_password_login": bool(options.get("password_login", True)),
        "auth_default_permission": options.get("auth_default_permission") or "READ",
        "oidc_issuer": options.get("oidc_issuer") or "",
        "oidc_client_id": options.get("oidc_client_id") or "",
        "oidc_client_secret_file": options.get("oidc_client_secret_file") or "",
        "oidc_scopes": _words(options.get("oidc_scopes") or "openid profile email"),
        "oidc_groups_claim": options.get("oidc_groups_claim") or "groups",
        "oidc_username_claims": _csv(
            options.get("oidc_username_claim") or "preferred_username,email"
        ),
        "oidc_group_roles": roles,
        "oidc_admin_group": options.get("oidc_admin_group") or "",
        "oidc_redirect_base_url": options.get("oidc_redirect_base_url") or "",
    }


def _admin_prompt(username: str) -> str:
    click.echo(
        f"There is no admin yet: choose a password for the first admin {username!r}.", err=True
    )
    value: str = click.prompt(
        f"Password for {username}", hide_input=True, confirmation_prompt=True, err=True
    )
    return value


def _prepare_auth(settings: Any) -> None:
    """Check the auth settings and make sure there is an admin, before any worker starts.

    The first admin's password may be typed at a prompt here (on a terminal); a worker
    cannot ask. Any problem stops the start with its message.
    """
    from ardea._core.env import ARDEA_OIDC_STATE_KEY
    from ardea._core.errors import ArdeaError
    from ardea.server.auth_runtime import open_auth_runtime
    from ardea.server.factory import build_deps

    backend = build_deps(settings).backend
    try:
        prompt = _admin_prompt if stdin_is_terminal() else None
        open_auth_runtime(settings, backend, prompt=prompt)
    except ArdeaError as exc:
        raise click.ClickException(f"cannot start with --auth: {exc.message}") from None
    finally:
        backend.close()
    several = settings.workers > 1 or settings.dev
    if settings.oidc_issuer and several and not os.environ.get(ARDEA_OIDC_STATE_KEY):
        # Every worker must seal and open the same OIDC login states.
        os.environ[ARDEA_OIDC_STATE_KEY] = secrets.token_urlsafe(32)


@click.command()
@_common_options
@click.option(
    "--serve-artifacts/--no-serve-artifacts",
    default=True,
    show_default=True,
    help="Serve the mlflow-artifacts proxy endpoints.",
)
@click.option(
    "--allow-artifact-root",
    "allowed_artifact_roots",
    multiple=True,
    help="Another folder or object-store URI whose run and model artifacts this server may "
    "read (repeatable). Artifact locations outside the artifacts destination, the default "
    "artifact root and these are refused.",
)
@click.option(
    "--allowed-hosts",
    default=None,
    envvar=["ARDEA_ALLOWED_HOSTS", "MLFLOW_SERVER_ALLOWED_HOSTS"],
    help="Comma-separated Host-header patterns this server answers (DNS-rebinding guard), "
    "e.g. 'mlflow.example.com,*.corp.example'. Default: localhost, loopback and "
    "private-network IPs and --host. '*' allows any host.",
)
@click.option(
    "--cors-allowed-origins",
    default=None,
    envvar=["ARDEA_CORS_ALLOWED_ORIGINS", "MLFLOW_SERVER_CORS_ALLOWED_ORIGINS"],
    help="Comma-separated browser origins allowed to call the API cross-origin, besides "
    "http://localhost:* and http://127.0.0.1:*. '*' allows any (without credentials).",
)
@click.option(
    "--x-frame-options",
    default="SAMEORIGIN",
    show_default=True,
    envvar=["ARDEA_X_FRAME_OPTIONS", "MLFLOW_SERVER_X_FRAME_OPTIONS"],
    help="X-Frame-Options response header; NONE omits it.",
)
@click.option(
    "--sqlite-synchronous",
    type=click.Choice(["normal", "full"], case_sensitive=False),
    default=None,
    envvar="ARDEA_SQLITE_SYNCHRONOUS",
    help="SQLite durability: 'normal' (default; a power loss may drop the last commits) or "
    "'full' (every acknowledged write survives a power loss; slower writes). SQLite only.",
)
@click.option(
    "--enable-workspaces",
    is_flag=True,
    envvar=["ARDEA_ENABLE_WORKSPACES", "MLFLOW_ENABLE_WORKSPACES"],
    help="Serve workspaces (MLflow's X-MLFLOW-WORKSPACE header and /api/3.0/mlflow/workspaces):"
    " every experiment, model, prompt and webhook belongs to one; without the header a request"
    " acts in 'default', where an existing database's content is.",
)
@click.option(
    "--gateway/--no-gateway",
    "gateway_enabled",
    default=True,
    show_default=True,
    envvar="ARDEA_GATEWAY_ENABLED",
    help="Serve the AI gateway (/gateway/... and /metrics); off, its routes answer 501.",
)
@click.option(
    "--otlp-grpc-port",
    type=click.IntRange(0, 65535),
    default=None,
    envvar="ARDEA_OTLP_GRPC_PORT",
    help="Also receive OTLP traces over gRPC on this port (OTLP's usual one is 4317), beside "
    "OTLP/HTTP on /v1/traces; same headers, auth and workspaces. Off unless given (0: off).",
)
@click.option("--workers", "-w", default=1, show_default=True, type=int, help="Processes.")
@click.option("--access-log", is_flag=True, help="Log every request.")
@_log_format_option
@click.option("--dev", is_flag=True, help="Development mode: reload on code changes.")
@_auth_options
def server(**options: Any) -> None:
    """Run the Ardea server: the web UI and the MLflow-compatible REST API.

    With no options it keeps everything under ./ardea-data/ and listens on 127.0.0.1:5000.
    The host is --host only: -h is help on every ardea command (mlflow server's -h is the
    host).
    """
    if options["workers"] < 1:
        raise click.BadParameter("must be at least 1", param_hint="--workers")
    app_name = options.pop("app_name", None)
    if app_name is not None:
        if app_name != "basic-auth":
            raise click.BadParameter(
                f"unknown app {app_name!r}: Ardea has one, 'basic-auth' (the same as --auth)",
                param_hint="--app-name",
            )
        options["auth"] = True
    _serve(options)


@click.command("ui")
@_common_options
@click.option("--access-log", is_flag=True, help="Log every request.")
@_log_format_option
def ui(**options: Any) -> None:
    """Run the web UI (and the API) on the local data folder, as `mlflow ui` does.

    The same server as `ardea server`, with fewer knobs: by default it serves ./ardea-data/
    on http://127.0.0.1:5000. Use `ardea server` for workers, CORS, allowed hosts and the
    rest.
    """
    from ardea._core import env

    _serve(
        {
            **options,
            "workers": 1,
            "dev": False,
            # The server's environment variables still apply (their options are not here).
            "allowed_hosts": env.get(env.ARDEA_ALLOWED_HOSTS, env.MLFLOW_SERVER_ALLOWED_HOSTS),
            "cors_allowed_origins": env.get(
                env.ARDEA_CORS_ALLOWED_ORIGINS, env.MLFLOW_SERVER_CORS_ALLOWED_ORIGINS
            ),
            "x_frame_options": env.get(
                env.ARDEA_X_FRAME_OPTIONS, env.MLFLOW_SERVER_X_FRAME_OPTIONS
            ),
            "enable_workspaces": (
                env.get(env.ARDEA_ENABLE_WORKSPACES, env.MLFLOW_ENABLE_WORKSPACES) or ""
            ).lower()
            in ("1", "true", "yes"),
        }
    )


def _serve(options: dict[str, Any]) -> None:
    from ardea.server.deps import ServerSettings

    if options["backend_store_uri"] is None or options["artifacts_destination"] is None:
        (Path.cwd() / DEFAULT_DATA_DIR).mkdir(exist_ok=True)
    settings = ServerSettings(
        host=options["host"],
        port=options["port"],
        backend_store_uri=options["backend_store_uri"] or _default_backend(),
        default_artifact_root=options["default_artifact_root"],
        artifacts_destination=options["artifacts_destination"] or _default_artifacts(),
        serve_artifacts=options.get("serve_artifacts", True),
        workers=options["workers"],
        access_log=options["access_log"],
        dev=options["dev"],
        **_auth_settings(options),
        allowed_artifact_roots=tuple(options.get("allowed_artifact_roots", ())),
        allowed_hosts=_csv(options.get("allowed_hosts")),
        cors_allowed_origins=_csv(options.get("cors_allowed_origins")),
        x_frame_options=options.get("x_frame_options") or "SAMEORIGIN",
        sqlite_synchronous=(options.get("sqlite_synchronous") or "").lower(),
        enable_workspaces=bool(options.get("enable_workspaces")),
        gateway_enabled=bool(options.get("gateway_enabled", True)),
        otlp_grpc_port=options.get("otlp_grpc_port") or 0,
    )
    # Read by every worker (ardea.server.logs.json_logs) and by _configure_logging.
    os.environ[ARDEA_LOG_FORMAT] = (options.get("log_format") or "text").lower()
    _configure_logging(logging.INFO)
    from ardea.server.security import exposure_warning

    warning = exposure_warning(settings.host, settings.auth_enabled)
    if warning:
        logging.getLogger("ardea.server").warning(warning)
    if settings.auth_enabled:
        _prepare_auth(settings)
    run(settings)


def run(settings: Any) -> None:
    """Serve ``settings`` (a :class:`~ardea.server.deps.ServerSettings`) until interrupted."""
    import uvicorn

    from ardea.server.logs import json_logs, log_config

    url = f"http://{settings.host}:{settings.port}"
    log_level = "info" if settings.access_log else "warning"
    # JSON: uvicorn's loggers in JSON too, and the door writes the access log instead.
    logging_options: dict[str, Any] = (
        {"log_config": log_config(True), "access_log": False}
        if json_logs()
        else {"access_log": settings.access_log}
    )
    if settings.workers > 1 or settings.dev:
        # Create or migrate the database once here, not racing in every worker.
        from ardea.server.factory import build_deps

        build_deps(settings).backend.close()
        os.environ.update(settings.to_env())
        created = _multiprocess_metrics_dir() if not settings.dev else None
        _announce(f"Ardea server starting on {url} ({settings.workers} workers)")
        try:
            _run_workers(settings, log_level, logging_options)
        finally:
            if created is not None:
                shutil.rmtree(created, ignore_errors=True)
        return

    from ardea.server.factory import build_app

    app = build_app(settings)
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_level=log_level,
        lifespan="on",
        **logging_options,
    )

    class _Server(uvicorn.Server):
        async def startup(self, sockets: Any = None) -> None:
            await super().startup(sockets=sockets)
            if self.started:
                _announce(f"Ardea server listening on {url}")
                sys.stdout.flush()

    _Server(config).run()


def _announce(message: str) -> None:
    """Say ``message`` on stdout, or as a log line when the logs are JSON."""
    from ardea.server.logs import json_logs

    if json_logs():
        logging.getLogger("ardea.server").info(message)
    else:
        click.echo(message)


def _run_workers(settings: Any, log_level: str, logging_options: dict[str, Any]) -> None:
    """``uvicorn.run`` of the app factory in ``settings.workers`` processes (or ``--dev``)."""
    import uvicorn

    uvicorn.run(
        "ardea.server.factory:app_from_env",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=None if settings.dev else settings.workers,
        reload=settings.dev,
        reload_dirs=[str(Path(__file__).resolve().parents[1])] if settings.dev else None,
        log_level=log_level,
        **logging_options,
    )


def _multiprocess_metrics_dir() -> str | None:
    """Make ``PROMETHEUS_MULTIPROC_DIR`` ready for the workers; the folder made, if any.

    Unset: a fresh temporary folder (removed when the server stops). Set: its ``*.db`` files
    of a previous run are removed, as prometheus-client asks, so old values do not add up.
    """
    from ardea._core.env import PROMETHEUS_MULTIPROC_DIR

    given = os.environ.get(PROMETHEUS_MULTIPROC_DIR)
    if given:
        folder = Path(given)
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.db"):
            stale.unlink(missing_ok=True)
        return None
    created = tempfile.mkdtemp(prefix="ardea-metrics-")
    os.environ[PROMETHEUS_MULTIPROC_DIR] = created
    return created
