"""PeerPath's settings, read once from the environment into frozen dataclasses.

Every key is documented, with its default, in `.env.example`. Errors name the
key, never its value; secrets are wrapped in `Secret` so no repr shows them.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from peerpath.errors import ConfigError
from peerpath.hours import OfficeHours

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Secret:
    """A string that never shows itself in a repr, str or log line."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The real value, for the one place that must send it."""
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __repr__(self) -> str:
        return "Secret('**********')" if self._value else "Secret('')"

    __str__ = __repr__


class Env:
    """Typed reads from one environment mapping; errors name the key only."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self._environ = environ

    def text(self, key: str, default: str) -> str:
        value = self._environ.get(key, "").strip()
        return value or default

    def optional(self, key: str) -> str | None:
        value = self._environ.get(key, "").strip()
        return value or None

    def secret(self, key: str) -> Secret:
        return Secret(self._environ.get(key, "").strip())

    def integer(self, key: str, default: int, minimum: int = 0, maximum: int = 2**31) -> int:
        raw = self._environ.get(key, "").strip()
        if not raw:
            return default
        try:
            value = int(raw)
        except ValueError:
            raise ConfigError(key, "must be a whole number") from None
        if not minimum <= value <= maximum:
            raise ConfigError(key, f"must be between {minimum} and {maximum}")
        return value

    def number(self, key: str, default: float, minimum: float = 0.0, maximum: float = 1e9) -> float:
        raw = self._environ.get(key, "").strip()
        if not raw:
            return default
        try:
            value = float(raw)
        except ValueError:
            raise ConfigError(key, "must be a number") from None
        if not minimum <= value <= maximum:
            raise ConfigError(key, f"must be between {minimum} and {maximum}")
        return value

    def flag(self, key: str, default: bool) -> bool:
        raw = self._environ.get(key, "").strip().lower()
        if not raw:
            return default
        if raw in {"1", "true", "yes", "on"}:
            return True
        if raw in {"0", "false", "no", "off"}:
            return False
        raise ConfigError(key, "must be true or false")

    def items(self, key: str, default: tuple[str, ...] = ()) -> tuple[str, ...]:
        raw = self._environ.get(key, "").strip()
        if not raw:
            return default
        return tuple(part.strip() for part in raw.split(",") if part.strip())

    def path(self, key: str, default: Path, base: Path) -> Path:
        raw = self._environ.get(key, "").strip()
        path = Path(raw) if raw else default
        return path if path.is_absolute() else base / path


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=value lines of a `.env` file (comments and blank lines skipped)."""
    values: dict[str, str] = {}
    if not path.exists():
        return values
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip().removeprefix("export ").strip()] = value
    return values


@dataclass(frozen=True)
class SearchSettings:
    """Where the knowledge lives, where its index is kept, how search scores."""

    knowledge_dirs: tuple[Path, ...] = (PROJECT_ROOT / "knowledge",)
    index_dir: Path = PROJECT_ROOT / "var" / "index"
    resources_file: Path = PROJECT_ROOT / "knowledge" / "resources.yml"
    hnsw_threshold: int = 50_000
    # Tuned on tests/eval (see docs/quality.md, "Search"): best MRR over both
    # knowledge/ and the raw seeds, and the cleanest abstain threshold.
    alpha: float = 0.7
    bm25_floor: float = 6.0
    min_score: float = 0.40
    # A list of English words (Debian's wamerican): words in it are never "corrected".
    words_file: Path = Path("/usr/share/dict/words")

    @classmethod
    def from_env(cls, env: Env, root: Path, var_dir: Path) -> SearchSettings:
        dirs = env.items("KNOWLEDGE_DIRS", ("knowledge",))
        return cls(
            knowledge_dirs=tuple(p if p.is_absolute() else root / p for p in map(Path, dirs)),
            index_dir=env.path("INDEX_DIR", var_dir / "index", root),
            resources_file=env.path("RESOURCES_FILE", Path("knowledge/resources.yml"), root),
            hnsw_threshold=env.integer("HNSW_THRESHOLD", 50_000, 1),
            alpha=env.number("SEARCH_ALPHA", cls.alpha, 0.0, 1.0),
            bm25_floor=env.number("SEARCH_BM25_FLOOR", cls.bm25_floor, 0.0, 1000.0),
            min_score=env.number("SEARCH_MIN_SCORE", cls.min_score, 0.0, 2.0),
            words_file=env.path("WORDS_FILE", cls.words_file, root),
        )


def _networks(env: Env, key: str) -> tuple[str, ...]:
    """Comma-separated addresses or networks (10.0.0.0/8), checked at start-up."""
    values = env.items(key)
    for value in values:
        try:
            ipaddress.ip_network(value, strict=False)
        except ValueError:
            raise ConfigError(key, "use addresses or networks like 10.0.0.0/8") from None
    return values


def _redis_url(env: Env) -> Secret | None:
    """REDIS_URL, which may carry a password: checked here, kept secret."""
    url = env.secret("REDIS_URL")
    if not url:
        return None
    if not url.reveal().startswith(("redis://", "rediss://", "unix://")):
        raise ConfigError("REDIS_URL", "must start with redis://, rediss:// or unix://")
    return url


@dataclass(frozen=True)
class StaffToken:
    """One peer's token for the staff API and console."""

    name: str
    token: Secret


def _staff_tokens(env: Env) -> tuple[StaffToken, ...]:
    """STAFF_TOKENS: "name:token" pairs, tokens of 12 or more characters."""
    tokens = []
    for pair in filter(None, (p.strip() for p in env.secret("STAFF_TOKENS").reveal().split(","))):
        name, _, token = pair.partition(":")
        if not name.strip() or len(token.strip()) < 12:
            raise ConfigError("STAFF_TOKENS", "use name:token pairs, tokens of 12+ characters")
        tokens.append(StaffToken(name.strip(), Secret(token.strip())))
    return tuple(tokens)


@dataclass(frozen=True)
class HandoffConfig:
    """Hand-off queue: where tickets live, when peers are on, how long to wait."""

    db_url: Secret = field(
        default_factory=lambda: Secret(f"sqlite:///{PROJECT_ROOT / 'var' / 'handoff.db'}")
    )
    hours: OfficeHours = field(
        default_factory=lambda: OfficeHours.parse("Mon-Fri 09:00-17:00", "America/New_York")
    )
    wait_seconds: int = 600
    expire_seconds: int = 72 * 3600
    # Empty: one generated token for "staff", kept in VAR_DIR/staff-token.
    staff_tokens: tuple[StaffToken, ...] = ()
    # An urgent ticket nobody claimed is posted to staff again after this long, and again
    # each time as long passes; the Telegram staff group's alert mentions these leads.
    escalate_seconds: int = 180
    escalate_mentions: tuple[str, ...] = ()

    @classmethod
    def from_env(cls, env: Env, var_dir: Path) -> HandoffConfig:
        return cls(
            db_url=env.secret("HANDOFF_DB_URL") or Secret(f"sqlite:///{var_dir / 'handoff.db'}"),
            hours=OfficeHours.parse(
                env.text("HANDOFF_HOURS", "Mon-Fri 09:00-17:00"),
                env.text("HANDOFF_TIMEZONE", "America/New_York"),
            ),
            wait_seconds=env.integer("HANDOFF_WAIT_MINUTES", 10, 1, 24 * 60) * 60,
            expire_seconds=env.integer("HANDOFF_EXPIRE_HOURS", 72, 1, 24 * 30) * 3600,
            staff_tokens=_staff_tokens(env),
            escalate_seconds=env.integer("URGENT_ESCALATE_MINUTES", 3, 1, 24 * 60) * 60,
            escalate_mentions=_mentions(env.text("URGENT_ESCALATE_MENTIONS", "")),
        )


def _mentions(text: str) -> tuple[str, ...]:
    """URGENT_ESCALATE_MENTIONS: Telegram usernames ("@lee, @kai"), each @ and 5-32 of
    letters, digits and _."""
    names = tuple(name.strip() for name in text.split(",") if name.strip())
    for name in names:
        if not re.fullmatch(r"@[A-Za-z0-9_]{5,32}", name):
            raise ConfigError("URGENT_ESCALATE_MENTIONS", "use Telegram usernames: @lee_a, @kai_b")
    return names


@dataclass(frozen=True)
class TelegramConfig:
    """The Telegram channel; off unless TELEGRAM_TOKEN is set."""

    token: Secret = field(default_factory=lambda: Secret(""))
    # Set for production: Telegram posts updates to this public URL (else long polling).
    webhook_url: str = ""
    webhook_secret: Secret = field(default_factory=lambda: Secret(""))
    # The group chat where peers receive tickets and reply.
    staff_chat_id: int | None = None
    api_url: str = "https://api.telegram.org"

    @property
    def enabled(self) -> bool:
        return bool(self.token)

    @classmethod
    def from_env(cls, env: Env) -> TelegramConfig:
        staff = env.optional("TELEGRAM_STAFF_CHAT_ID")
        try:
            staff_chat_id = int(staff) if staff else None
        except ValueError:
            raise ConfigError("TELEGRAM_STAFF_CHAT_ID", "must be a chat id (a number)") from None
        webhook = env.text("TELEGRAM_WEBHOOK_URL", "")
        if webhook and not webhook.startswith("https://"):
            raise ConfigError("TELEGRAM_WEBHOOK_URL", "must be an https:// URL")
        return cls(
            token=env.secret("TELEGRAM_TOKEN"),
            webhook_url=webhook,
            webhook_secret=env.secret("TELEGRAM_WEBHOOK_SECRET"),
            staff_chat_id=staff_chat_id,
            api_url=env.text("TELEGRAM_API_URL", cls.api_url).rstrip("/"),
        )


@dataclass(frozen=True)
class ConnectionLimits:
    """How much of the gateway one client, and all clients together, may hold."""

    # Open WebSockets (widget and staff console) per client address, and in all.
    ws_max_per_address: int = 20
    ws_max_total: int = 2000
    # Open connections of every kind (uvicorn's limit_concurrency): an HTTP request
    # beyond it gets a 503. Kept above ws_max_total so sockets never crowd out chat.
    max_connections: int = 4000
    # A request's headers must arrive within header_timeout seconds of its first
    # byte, its body within body_timeout seconds of its headers.
    header_timeout: float = 5.0
    body_timeout: float = 10.0
    # Largest request head (request line and headers) the server reads.
    max_header_bytes: int = 32 * 1024

    @classmethod
    def from_env(cls, env: Env) -> ConnectionLimits:
        ws_total = env.integer("WS_MAX_TOTAL", 2000, 1, 1_000_000)
        max_connections = env.integer("MAX_CONNECTIONS", 4000, 2, 1_000_000)
        if max_connections <= ws_total:
            raise ConfigError("MAX_CONNECTIONS", "must be larger than WS_MAX_TOTAL")
        return cls(
            ws_max_per_address=env.integer("WS_MAX_PER_ADDRESS", 20, 1, 1_000_000),
            ws_max_total=ws_total,
            max_connections=max_connections,
            header_timeout=env.number("HEADER_TIMEOUT_SECONDS", 5.0, 0.5, 300.0),
            body_timeout=env.number("BODY_TIMEOUT_SECONDS", 10.0, 0.5, 300.0),
            max_header_bytes=env.integer("MAX_HEADER_BYTES", 32 * 1024, 1024, 1024 * 1024),
        )


@dataclass(frozen=True)
class Settings:
    """Settings of the gateway and the process supervisor."""

    root: Path = PROJECT_ROOT
    var_dir: Path = PROJECT_ROOT / "var"
    log_level: str = "INFO"
    log_format: str = "text"  # LOG_FORMAT: text, or json (one object per line)

    gateway_host: str = "127.0.0.1"
    gateway_port: int = 8080
    rasa_host: str = "127.0.0.1"
    rasa_port: int = 5005
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_token: Secret = field(default_factory=lambda: Secret(""))
    rasa_timeout: float = 20.0
    rasa_tracker_db: Path = PROJECT_ROOT / "var" / "rasa-tracker.db"
    rasa_model: Path = PROJECT_ROOT / "models" / "peerpath.tar.gz"
    rasa_python: Path = PROJECT_ROOT / ".venv-rasa" / "bin" / "python"
    action_server_host: str = "127.0.0.1"
    action_server_port: int = 5055
    action_server_url: str = "http://127.0.0.1:5055"
    # Several Rasa replicas (the cluster profile), each with its action server, in the
    # same order; one conversation always goes to the same replica (bot/rasa/router.py).
    rasa_urls: tuple[str, ...] = ()
    action_server_urls: tuple[str, ...] = ()
    # Rasa's tracker store when it is not the SQLite file (PostgreSQL in the cluster
    # profile), for forgetting a person's conversation.
    rasa_tracker_url: Secret = field(default_factory=lambda: Secret(""))
    # Conversations untouched this many days are deleted daily (0: kept forever)
    retention_days: int = 90
    # A counselor's list for a client (/resources) can be opened this many days
    shared_list_days: int = 30
    # Upgrade PeerPath's own tables at start-up (else refuse a database that is behind)
    auto_migrate: bool = True

    session_secret: Secret = field(default_factory=lambda: Secret(""))
    # GET /metrics: with a token, a Bearer of it; without, only from this machine
    metrics_token: Secret = field(default_factory=lambda: Secret(""))
    # A web session ends after this long unused (its token is then refused).
    session_idle_minutes: int = 60
    # "Remember on this device": the widget keeps its session in localStorage for this
    # long unused (at most session_idle_minutes); 0 keeps it in the tab only.
    widget_remember_minutes: int = 0
    max_message_chars: int = 2000
    public_url: str = "http://127.0.0.1:8080"
    feedback_db_url: Secret = field(
        default_factory=lambda: Secret(f"sqlite:///{PROJECT_ROOT / 'var' / 'feedback.db'}")
    )
    search: SearchSettings = field(default_factory=SearchSettings)
    handoff: HandoffConfig = field(default_factory=HandoffConfig)
    # The crisis model, trained at build time (`make`), loaded at start-up.
    safety_model_dir: Path = PROJECT_ROOT / "var" / "safety"
    # CPU threads the gateway's embedding model may use.
    model_threads: int = 1
    allowed_origins: tuple[str, ...] = ("http://127.0.0.1:8080", "http://localhost:8080")
    rate_limit_per_minute: int = 20
    # Every client address together (chat, history, search), and new web sessions.
    rate_limit_per_address: int = 120
    sessions_per_address: int = 30
    # Proxies whose X-Forwarded-For is believed (addresses or networks), e.g. the ingress.
    trusted_proxies: tuple[str, ...] = ()
    connections: ConnectionLimits = field(default_factory=ConnectionLimits)
    telegram: TelegramConfig = field(default_factory=TelegramConfig)
    # Set for several gateways: rate limits, live events, Telegram buttons and the
    # Telegram polling lease live in this Redis (bot/shared/); unset, in memory.
    redis_url: Secret | None = None

    def secret_values(self) -> list[str]:
        """Every secret value, for the log filter that redacts them."""
        secrets = (
            self.rasa_token,
            self.rasa_tracker_url,
            self.handoff.db_url,
            self.telegram.token,
            self.telegram.webhook_secret,
            self.session_secret,
            self.metrics_token,
            self.redis_url,
            *(staff.token for staff in self.handoff.staff_tokens),
        )
        return [secret.reveal() for secret in secrets if secret]

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        """Read every setting from `environ`; missing keys take their defaults."""
        env = Env(environ)
        root = Path(env.text("PEERPATH_ROOT", str(PROJECT_ROOT)))
        var_dir = env.path("VAR_DIR", Path("var"), root)
        rasa_host = env.text("RASA_HOST", "127.0.0.1")
        rasa_port = env.integer("RASA_PORT", 5005, 1, 65535)
        action_host = env.text("ACTION_SERVER_HOST", "127.0.0.1")
        action_port = env.integer("ACTION_SERVER_PORT", 5055, 1, 65535)
        gateway_host = env.text("GATEWAY_HOST", "127.0.0.1")
        gateway_port = env.integer("GATEWAY_PORT", 8080, 1, 65535)
        log_level = env.text("LOG_LEVEL", "INFO").upper()
        rasa_urls = tuple(url.rstrip("/") for url in env.items("RASA_URLS"))
        action_urls = tuple(url.rstrip("/") for url in env.items("ACTION_SERVER_URLS"))
        if action_urls and len(action_urls) != len(rasa_urls):
            raise ConfigError(
                "ACTION_SERVER_URLS", "must list one action server per RASA_URLS entry"
            )
        if any(not url.startswith(("http://", "https://")) for url in rasa_urls + action_urls):
            raise ConfigError("RASA_URLS", "every entry must be an http(s) URL")
        if log_level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ConfigError("LOG_LEVEL", "must be DEBUG, INFO, WARNING or ERROR")
        log_format = env.text("LOG_FORMAT", "text").lower()
        if log_format not in {"text", "json"}:
            raise ConfigError("LOG_FORMAT", "must be text or json")
        idle_minutes = env.integer("SESSION_IDLE_MINUTES", 60, 1, 7 * 24 * 60)
        remember_minutes = env.integer("WIDGET_REMEMBER_MINUTES", 0, 0, 7 * 24 * 60)
        if remember_minutes > idle_minutes:
            raise ConfigError(
                "WIDGET_REMEMBER_MINUTES", "can't be longer than SESSION_IDLE_MINUTES"
            )
        return cls(
            root=root,
            var_dir=var_dir,
            log_level=log_level,
            log_format=log_format,
            gateway_host=gateway_host,
            gateway_port=gateway_port,
            rasa_host=rasa_host,
            rasa_port=rasa_port,
            rasa_url=env.text("RASA_URL", f"http://{rasa_host}:{rasa_port}").rstrip("/"),
            rasa_token=env.secret("RASA_TOKEN"),
            rasa_timeout=env.number("RASA_TIMEOUT", 20.0, 1.0, 300.0),
            rasa_tracker_db=env.path("RASA_TRACKER_DB", var_dir / "rasa-tracker.db", root),
            rasa_model=env.path("RASA_MODEL", Path("models/peerpath.tar.gz"), root),
            rasa_python=env.path("RASA_PYTHON", Path(".venv-rasa/bin/python"), root),
            action_server_host=action_host,
            action_server_port=action_port,
            action_server_url=env.text(
                "ACTION_SERVER_URL", f"http://{action_host}:{action_port}"
            ).rstrip("/"),
            rasa_urls=rasa_urls,
            action_server_urls=action_urls,
            rasa_tracker_url=env.secret("RASA_TRACKER_URL"),
            retention_days=env.integer("RETENTION_DAYS", 90, 0, 3650),
            shared_list_days=env.integer("SHARED_LIST_DAYS", 30, 1, 365),
            auto_migrate=env.flag("AUTO_MIGRATE", True),
            session_secret=env.secret("SESSION_SECRET"),
            metrics_token=env.secret("METRICS_TOKEN"),
            session_idle_minutes=idle_minutes,
            widget_remember_minutes=remember_minutes,
            max_message_chars=env.integer("MAX_MESSAGE_CHARS", 2000, 50, 20000),
            public_url=env.text("PUBLIC_URL", f"http://{gateway_host}:{gateway_port}").rstrip("/"),
            feedback_db_url=env.secret("FEEDBACK_DB_URL")
            or Secret(f"sqlite:///{var_dir / 'feedback.db'}"),
            search=SearchSettings.from_env(env, root, var_dir),
            handoff=HandoffConfig.from_env(env, var_dir),
            safety_model_dir=env.path("SAFETY_MODEL_DIR", var_dir / "safety", root),
            model_threads=env.integer("MODEL_THREADS", 1, 1, 64),
            allowed_origins=env.items(
                "ALLOWED_ORIGINS",
                (f"http://127.0.0.1:{gateway_port}", f"http://localhost:{gateway_port}"),
            ),
            rate_limit_per_minute=env.integer("RATE_LIMIT_PER_MINUTE", 20, 1, 10_000),
            rate_limit_per_address=env.integer("RATE_LIMIT_PER_ADDRESS", 120, 1, 100_000),
            sessions_per_address=env.integer("SESSIONS_PER_ADDRESS", 30, 1, 100_000),
            trusted_proxies=_networks(env, "TRUSTED_PROXIES"),
            connections=ConnectionLimits.from_env(env),
            telegram=TelegramConfig.from_env(env),
            redis_url=_redis_url(env),
        )
