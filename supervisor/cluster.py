"""`make run-cluster`: PeerPath as it runs beyond one machine, here on one.

PostgreSQL and Redis (Debian's packages) under var/cluster/, two Rasa replicas
each with its action server beside it, two gateways, and Debian's haproxy in
front of the gateways on GATEWAY_PORT (8080): the production profile
(endpoints.cluster.yml, RASA_URLS, REDIS_URL, HANDOFF_DB_URL,
RASA_TRACKER_URL) with every process replicated, on loopback.

PostgreSQL and Redis are started first and stopped last; the application
processes and haproxy are supervised as `make run` supervises its three
(restarted with back-off when they crash). If the supervisor dies, all of
them stop too (supervisor/orphans.py), PostgreSQL included.
"""

from __future__ import annotations

import os
import secrets
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from peerpath.settings import Secret, Settings
from supervisor.orphans import Reaper
from supervisor.postgres_server import PostgresServer
from supervisor.process import ProcessSpec, supervise
from supervisor.redis_server import RedisServer
from supervisor.specs import child_env

DB_USER = "peerpath_app"  # not the server's superuser (supervisor/postgres_server.py)
REPLICAS = 2
DATABASES = ("rasa", "peerpath")  # Rasa's trackers; the hand-off store
GATEWAY_START_S = 180.0  # a gateway loads the model and the index before it is live


@dataclass(frozen=True)
class Ports:
    """Every port of the cluster: the front port (GATEWAY_PORT) and the gateways just above
    it; CLUSTER_POSTGRES_PORT, CLUSTER_REDIS_PORT, and CLUSTER_RASA_PORT /
    CLUSTER_ACTIONS_PORT for the first replica (the next one is one above)."""

    front: int
    postgres: int
    redis: int
    rasa_base: int = 15005
    actions_base: int = 15055

    def gateway(self, i: int) -> int:
        return self.front + 1 + i

    def rasa(self, i: int) -> int:
        return self.rasa_base + i

    def actions(self, i: int) -> int:
        return self.actions_base + i

    @classmethod
    def from_env(cls, settings: Settings, environ: Mapping[str, str]) -> Ports:
        return cls(
            front=settings.gateway_port,
            postgres=int(environ.get("CLUSTER_POSTGRES_PORT", "15432")),
            redis=int(environ.get("CLUSTER_REDIS_PORT", "16379")),
            rasa_base=int(environ.get("CLUSTER_RASA_PORT", "15005")),
            actions_base=int(environ.get("CLUSTER_ACTIONS_PORT", "15055")),
        )


def haproxy_config(ports: Ports, host: str) -> str:
    """One front port, the gateways behind it, WebSockets passed through."""
    servers = "\n".join(
        f"    server gateway-{i} 127.0.0.1:{ports.gateway(i)} check inter 2s fall 2 rise 1"
        for i in range(REPLICAS)
    )
    return f"""global
    maxconn 2000

defaults
    mode http
    option forwardfor
    option http-server-close
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    # a WebSocket (the widget's live channel, the staff console) may stay open long
    timeout tunnel 1h
    retries 2
    option redispatch
    # a gateway killed a moment ago is still "up" until its checks fail (up to 4 s): a
    # request refused by it, or answered with nothing (it never ran), goes to the other
    retry-on conn-failure empty-response

frontend peerpath
    bind {host}:{ports.front}
    default_backend gateways

backend gateways
    balance roundrobin
    option httpchk GET /health/live
{servers}
"""


def build_cluster_specs(
    settings: Settings,
    environ: Mapping[str, str],
    ports: Ports,
    db_password: Secret,
    db_urls: Mapping[str, Secret],
    redis_url: str,
    haproxy_cfg: Path,
) -> list[ProcessSpec]:
    """Rasa and its action server twice, two gateways, haproxy (all under settings.var_dir)."""
    token = settings.rasa_token.reveal() or secrets.token_urlsafe(24)
    base = {
        **child_env(settings, environ, token),
        # one var/cluster for all: the staff token file and the processes' status
        "VAR_DIR": str(settings.var_dir),
        "INDEX_DIR": str(settings.search.index_dir),
        "SAFETY_MODEL_DIR": str(settings.safety_model_dir),
    }
    root = str(settings.root)
    session_secret = settings.session_secret.reveal() or secrets.token_urlsafe(32)
    rasa_urls = ",".join(f"http://127.0.0.1:{ports.rasa(i)}" for i in range(REPLICAS))
    action_urls = ",".join(f"http://127.0.0.1:{ports.actions(i)}" for i in range(REPLICAS))
    specs: list[ProcessSpec] = []
    for i in range(REPLICAS):
        action_url = f"http://127.0.0.1:{ports.actions(i)}"
        # Rasa reads the cluster endpoints' ${VAR}s from its environment: no secret on argv.
        rasa_env = {
            **base,
            "LOG_LEVEL": "INFO" if settings.log_level == "DEBUG" else settings.log_level,
            "ACTION_SERVER_WEBHOOK": f"{action_url}/webhook",
            "RASA_DB_HOST": "127.0.0.1",
            "RASA_DB_PORT": str(ports.postgres),
            "RASA_DB_USER": DB_USER,
            "RASA_DB_PASSWORD": db_password.reveal(),
            "RASA_DB_NAME": "rasa",
            "RASA_DB_LOGIN_DB": "",
            "SQL_POOL_SIZE": "5",
            "SQL_MAX_OVERFLOW": "5",
            "REDIS_HOST": "127.0.0.1",
            "REDIS_PORT": str(ports.redis),
            "REDIS_LOCK_DB": "1",
            "REDIS_PASSWORD": "",
        }
        rasa = (
            str(settings.rasa_python), "-m", "rasa_addons", "run", "--enable-api",
            "--interface", "127.0.0.1", "--port", str(ports.rasa(i)),
            "--model", str(settings.rasa_model),
            "--endpoints", "endpoints.cluster.yml", "--credentials", "credentials.yml",
        )  # fmt: skip
        actions_env = {**base, "ACTION_SERVER_PORT": str(ports.actions(i))}
        specs.append(ProcessSpec(f"rasa-{i}", rasa, rasa_env,
                                 f"http://127.0.0.1:{ports.rasa(i)}/", 300.0, root))  # fmt: skip
        specs.append(ProcessSpec(f"actions-{i}", (sys.executable, "-m", "actions"), actions_env,
                                 f"{action_url}/health", 300.0, root))  # fmt: skip
    for i in range(REPLICAS):
        gateway_env = {
            **base,
            "GATEWAY_HOST": "127.0.0.1",
            "GATEWAY_PORT": str(ports.gateway(i)),
            "PUBLIC_URL": settings.public_url,
            "ALLOWED_ORIGINS": ",".join(settings.allowed_origins),
            "TRUSTED_PROXIES": "127.0.0.1",
            "RASA_URLS": rasa_urls,
            "ACTION_SERVER_URLS": action_urls,
            "HANDOFF_DB_URL": db_urls["peerpath"].reveal(),
            "RASA_TRACKER_URL": db_urls["rasa"].reveal(),
            "REDIS_URL": redis_url,
            "SESSION_SECRET": session_secret,
        }
        specs.append(ProcessSpec(f"gateway-{i}", (sys.executable, "-m", "bot"), gateway_env,
                                 f"http://127.0.0.1:{ports.gateway(i)}/health/live",
                                 GATEWAY_START_S, root))  # fmt: skip
    haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
    # haproxy's health check goes through to a gateway, so it can't be ready before one
    # is: it gets the gateways' start time and a little more (all start at once, and on
    # two busy cores a gateway took over 30 s)
    specs.append(
        ProcessSpec("haproxy", (haproxy, "-db", "-f", str(haproxy_cfg)), dict(os.environ),
                    f"http://{settings.gateway_host}:{ports.front}/health/live",
                    GATEWAY_START_S + 30.0, root)
    )  # fmt: skip
    return specs


def banner(settings: Settings, ports: Ports) -> str:
    base = f"http://{settings.gateway_host}:{ports.front}"
    return "\n".join([
        "",
        "PeerPath is running as a cluster: PostgreSQL, Redis, 2 x (Rasa + action server),",
        "2 gateways behind haproxy.",
        f"  Chat in the browser:  {base}/",
        f"  Health:               {base}/health   (each gateway: "
        + ", ".join(f"127.0.0.1:{ports.gateway(i)}" for i in range(REPLICAS)) + ")",
        f"  Staff console:        {base}/staff",
        f"  PostgreSQL:           127.0.0.1:{ports.postgres} (var/cluster/postgres)",
        f"  Redis:                127.0.0.1:{ports.redis} (var/cluster/redis)",
        "A process that crashes is restarted; Ctrl-C stops everything.",
        "",
    ])  # fmt: skip


def run_cluster(settings: Settings, environ: Mapping[str, str] = os.environ) -> int:
    """Start PostgreSQL and Redis, then supervise the replicated processes and haproxy."""
    missing = [p for p in (settings.rasa_python, settings.rasa_model) if not p.exists()]
    if not shutil.which("haproxy") and not Path("/usr/sbin/haproxy").exists():
        print("haproxy is missing: run `make run-cluster` to install it.", file=sys.stderr)
        return 2
    if missing:
        print(f"Missing {', '.join(map(str, missing))}: run `make run-cluster`.", file=sys.stderr)
        return 2
    var_dir = settings.var_dir / "cluster"
    var_dir.mkdir(parents=True, exist_ok=True)
    ports = Ports.from_env(settings, environ)
    postgres = PostgresServer(var_dir / "postgres", ports.postgres)
    redis = RedisServer(var_dir / "redis", ports.redis, appendonly=True)
    reaper = Reaper()  # pg_ctl daemonizes PostgreSQL: only the reaper can stop it if we die
    groups: list[int] = []
    try:
        postgres.start()
        postmaster = postgres.pid()
        if postmaster is not None and os.getpgid(postmaster) == postmaster:  # pg_ctl setsid()s
            groups.append(postmaster)
            reaper.watch(postmaster)
        password = _app_password(var_dir / "app.password")
        postgres.create_user(DB_USER, password)
        for name in DATABASES:
            postgres.create_database(name, owner=DB_USER)
        db_urls = {name: postgres.url(name, DB_USER, password) for name in DATABASES}
        redis.start()
        if redis.process is not None:
            groups.append(redis.process.pid)  # it leads its own group
            reaper.watch(groups[-1])
        cfg = var_dir / "haproxy.cfg"
        cfg.write_text(haproxy_config(ports, settings.gateway_host), encoding="utf-8")
        cluster_settings = replace(settings, var_dir=var_dir)
        specs = build_cluster_specs(
            cluster_settings, environ, ports, password, db_urls, redis.url, cfg
        )
        return supervise(
            specs,
            banner(settings, ports),
            status_file=var_dir / "processes.json",
            reaper=reaper,
            log_format=settings.log_format,
        )
    finally:
        redis.stop()
        postgres.stop()
        for pgid in groups:
            reaper.forget(pgid)
        reaper.close()


def _app_password(path: Path) -> Secret:
    """The application's database password: made once, kept in a 0600 file."""
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(24), encoding="utf-8")
    return Secret(path.read_text(encoding="utf-8").strip())


def main() -> int:
    from peerpath import entry

    settings = entry.start()
    if settings is None:
        return 2
    try:
        return run_cluster(settings)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
