"""PeerPath's processes as the supervisor runs them: Rasa, the action server, the gateway."""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Mapping

from peerpath.settings import Settings
from supervisor.process import ProcessSpec, supervise

BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS")


def child_env(settings: Settings, environ: Mapping[str, str], rasa_token: str) -> dict[str, str]:
    """The environment every child gets: ours plus the derived URLs and paths."""
    env = dict(environ)
    env.update(
        PEERPATH_ROOT=str(settings.root),
        RASA_URL=settings.rasa_url,
        RASA_TOKEN=rasa_token,
        ACTION_SERVER_URL=settings.action_server_url,
        ACTION_SERVER_WEBHOOK=f"{settings.action_server_url}/webhook",
        RASA_TRACKER_DB=str(settings.rasa_tracker_db),
        RASA_TELEMETRY_ENABLED="false",
        TF_CPP_MIN_LOG_LEVEL="2",
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        PYTHONUNBUFFERED="1",
    )
    # One BLAS thread per process: numpy's OpenBLAS workers spin on after each matrix
    # product and took the cores from the other processes (under load, 70% of the
    # action server's samples sat in one 4,123 x 384 product). A deployer may override.
    for key in BLAS_THREADS:
        env.setdefault(key, "1")
    return env


def build_specs(settings: Settings, environ: Mapping[str, str]) -> list[ProcessSpec]:
    """Rasa, the action server and the gateway, as configured by `settings`."""
    token = settings.rasa_token.reveal() or secrets.token_urlsafe(24)
    env = child_env(settings, environ, token)
    root = str(settings.root)
    # The token reaches Rasa as RASA_TOKEN, never on its command line (ps would show it).
    rasa = (
        str(settings.rasa_python), "-m", "rasa_addons", "run", "--enable-api",
        "--interface", settings.rasa_host, "--port", str(settings.rasa_port),
        "--model", str(settings.rasa_model),
        "--endpoints", "endpoints.yml", "--credentials", "credentials.yml",
    )  # fmt: skip
    # Rasa logs what people typed at DEBUG: never run it below INFO.
    rasa_env = {**env, "LOG_LEVEL": "INFO" if settings.log_level == "DEBUG" else settings.log_level}
    # The gateway's liveness, not /health: it answers (crisis replies included) while
    # Rasa restarts, so it must not be restarted because Rasa is down.
    gateway_health = f"http://{settings.gateway_host}:{settings.gateway_port}/health/live"
    return [
        ProcessSpec("rasa", rasa, rasa_env, f"{settings.rasa_url}/", 300.0, root),
        ProcessSpec("actions", (sys.executable, "-m", "actions"), env,
                    f"{settings.action_server_url}/health", 300.0, root),
        ProcessSpec("gateway", (sys.executable, "-m", "bot"), env,
                    gateway_health, 180.0, root),
    ]  # fmt: skip


def banner(settings: Settings) -> str:
    base = f"http://{settings.gateway_host}:{settings.gateway_port}"
    return "\n".join(
        [
            "",
            "PeerPath is running.",
            f"  Chat in the browser:  {base}/",
            f"  Chat API:             POST {base}/api/session, then POST {base}/api/chat "
            '{"text": "hello"} with "Authorization: Bearer <session>"',
            f"  Health:               {base}/health",
            f"  Counselor lookup:     {base}/resources",
            f"  Staff console:        {base}/staff  (token: STAFF_TOKENS, or the file "
            f"{settings.var_dir / 'staff-token'})",
            "  Telegram:             "
            + (
                "on (" + ("webhook" if settings.telegram.webhook_url else "long polling") + ")"
                if settings.telegram.enabled
                else "off (set TELEGRAM_TOKEN to turn it on)"
            ),
            "A process that crashes is restarted; Ctrl-C stops all three.",
            "",
        ]
    )


def run_all(settings: Settings, environ: Mapping[str, str] = os.environ) -> int:
    """Start Rasa and the action server, then the gateway; supervise all three."""
    missing = [p for p in (settings.rasa_python, settings.rasa_model) if not p.exists()]
    if missing:
        print(f"Missing {', '.join(map(str, missing))}: run `make run` to set up.", file=sys.stderr)
        return 2
    return supervise(
        build_specs(settings, environ),
        banner(settings),
        status_file=settings.var_dir / "processes.json",
        log_format=settings.log_format,
    )
