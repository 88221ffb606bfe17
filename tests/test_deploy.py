"""The cluster deployment (deploy/, endpoints.cluster.yml), checked offline in seconds.

Every Kubernetes manifest is validated against Kubernetes 1.37's schemas in
strict mode (kubernetes-validate), and the pieces are checked against each
other: the gateway names every Rasa replica in order, probes hit the real
health endpoints, secrets come only from a Secret. The Dockerfiles are read as
text: pinned base images, COPY sources that exist and pass the ignore file, the
real entry points, a non-root user. No committed deployment file may hold a
secret, and every environment variable the images and manifests set must be
one that PeerPath, Rasa or the platform reads.
"""

from __future__ import annotations

import ast
import copy
import fnmatch
import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
TRIAL = DEPLOY / "k8s-trial"
DOCKER = DEPLOY / "docker"
ENDPOINTS = ROOT / "endpoints.cluster.yml"
RASA_SITE = ROOT / ".venv-rasa" / "lib" / "python3.10" / "site-packages" / "rasa"
KUBERNETES_VERSION = "1.37"

# Names the team is adding for the cluster profile (not read by the code yet).
CLUSTER_NAMES = {"RASA_URLS", "ACTION_SERVER_URLS", "RASA_TRACKER_URL", "REDIS_URL"}
CLUSTER_NAMES |= {"TRUSTED_PROXIES"}
# Rasa's bounds on its SQL pool (rasa/core/constants.py; checked below).
RASA_POOL_NAMES = {"SQL_POOL_SIZE", "SQL_MAX_OVERFLOW"}
# Read by the platform, not by PeerPath: the venv's PATH, the image user's HOME,
# Python's output, torch's and numpy's threads, matplotlib (imported by Rasa).
PLATFORM_NAMES = {"PATH", "HOME", "PYTHONUNBUFFERED", "PYTHONDONTWRITEBYTECODE"}
PLATFORM_NAMES |= {"OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "MPLCONFIGDIR"}
# Whatever holds one of these is secret: it comes from the Secret, nowhere else.
SECRET_NAMES = {"RASA_TOKEN", "SESSION_SECRET", "STAFF_TOKENS", "TELEGRAM_TOKEN"}
SECRET_NAMES |= {"TELEGRAM_WEBHOOK_SECRET", "HANDOFF_DB_URL", "RASA_TRACKER_URL", "REDIS_URL"}
SECRET_NAMES |= {"FEEDBACK_DB_URL", "RASA_DB_PASSWORD", "REDIS_PASSWORD", "METRICS_TOKEN"}
PLACEHOLDER = "REPLACE_WITH_"
# Typical resident memory of each process (MB), which its request must cover.
RESIDENT_MB = {"rasa": 1400, "actions": 500, "gateway": 700}
# The images: their Python, what each process needs in it beyond the venv, its health.
IMAGES = {"rasa": "3.10", "actions": "3.11", "gateway": "3.11"}
NEEDS = {
    "rasa": ["peerpath", "rasa_addons", "credentials.yml", "endpoints.cluster.yml"],
    "actions": ["peerpath", "actions", "knowledge"],
    "gateway": ["peerpath", "bot", "knowledge", "data/nlu"],
}
HEALTH = {"rasa": "/", "actions": "/health", "gateway": "/health/live"}


# --- Reading the files -------------------------------------------------------


def _read(relative: str) -> str:
    return (ROOT / relative).read_text(encoding="utf-8")


@functools.cache
def yaml_docs(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]


def manifest_files() -> list[Path]:
    files = sorted([*K8S.glob("*.yaml"), *TRIAL.glob("*.yaml")])
    return [path for path in files if path.name != "kustomization.yaml"]


def resource(kind: str, name: str) -> dict[str, Any]:
    for path in manifest_files():
        for doc in yaml_docs(path):
            if doc["kind"] == kind and doc["metadata"]["name"] == name:
                return doc
    raise AssertionError(f"no {kind} {name} in deploy/")


def pod_spec(workload: dict[str, Any]) -> dict[str, Any]:
    return workload["spec"]["template"]["spec"]


def pod_spec_for(image: str) -> dict[str, Any]:
    kind, name = ("Deployment", "gateway") if image == "gateway" else ("StatefulSet", "rasa")
    return pod_spec(resource(kind, name))


def containers() -> dict[str, dict[str, Any]]:
    """PeerPath's own containers by name: rasa, actions, gateway."""
    found = {}
    for workload in (resource("StatefulSet", "rasa"), resource("Deployment", "gateway")):
        for container in pod_spec(workload)["containers"]:
            found[container["name"]] = container
    assert set(found) == {"rasa", "actions", "gateway"}
    return found


def env_values(container: dict[str, Any]) -> dict[str, str]:
    """Plain `value:` env entries; entries from a Secret map to '<secret>'."""
    values = {}
    for entry in container.get("env", []):
        values[entry["name"]] = entry.get("value", "<secret>" if "valueFrom" in entry else "")
    return values


def config_map() -> dict[str, str]:
    return resource("ConfigMap", "peerpath-config")["data"]


def env_names(container: dict[str, Any]) -> set[str]:
    """Every variable the container gets: its env and the ConfigMaps it loads."""
    names = set(env_values(container))
    for source in container.get("envFrom", []):
        assert source["configMapRef"]["name"] == "peerpath-config"
        names |= set(config_map())
    return names


@dataclass(frozen=True)
class Instruction:
    keyword: str
    args: str
    stage: int


def dockerfile(name: str) -> list[Instruction]:
    """A Dockerfile's instructions, continuation lines joined, comments dropped."""
    instructions: list[Instruction] = []
    stage = -1
    pending = ""
    for line in (DOCKER / f"{name}.Dockerfile").read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("#") or not line.strip():
            continue
        pending += line.rstrip()
        if pending.endswith("\\"):
            pending = pending[:-1]
            continue
        keyword, _, args = pending.strip().partition(" ")
        pending = ""
        if keyword.upper() == "FROM":
            stage += 1
        instructions.append(Instruction(keyword.upper(), args.strip(), stage))
    return instructions


def final_stage(instructions: list[Instruction]) -> list[Instruction]:
    last = instructions[-1].stage
    return [i for i in instructions if i.stage == last]


def env_keys(instruction: Instruction) -> list[str]:
    return re.findall(r"(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)=", instruction.args)


# --- What PeerPath and Rasa read ----------------------------------------------

ENV_NAME = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$")


@functools.cache
def names_peerpath_reads() -> frozenset[str]:
    """Keys in .env.example and settings.py, os.environ reads, the supervisor's child env."""
    names = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", _read(".env.example"), re.M))
    settings = ast.parse(_read("peerpath/settings.py"))
    names |= {
        n.value for n in ast.walk(settings) if isinstance(n, ast.Constant) and _is_name(n.value)
    }
    for package in ("peerpath", "bot", "actions", "rasa_addons", "supervisor"):
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                    continue
                if node.func.attr in {"get", "getenv", "setdefault", "pop"} and node.args:
                    first = node.args[0]
                    if isinstance(first, ast.Constant) and _is_name(first.value):
                        names.add(first.value)
                if node.func.attr == "update":  # env.update(KEY=...) in supervisor/specs.py
                    names |= {k.arg for k in node.keywords if _is_name(k.arg)}
    return frozenset(names)


def _is_name(value: object) -> bool:
    return isinstance(value, str) and ENV_NAME.match(value) is not None


def endpoint_scalars() -> list[yaml.ScalarNode]:
    """Every value in endpoints.cluster.yml, as YAML nodes (which know if they were quoted)."""
    top = yaml.compose(ENDPOINTS.read_text(encoding="utf-8"))
    return [value for _, section in top.value for _, value in section.value]


def endpoint_vars() -> set[str]:
    return {m for s in endpoint_scalars() for m in re.findall(r"\$\{(\w+)\}", s.value)}


def init_params(source: Path, class_name: str) -> set[str]:
    """The keyword parameters of a class's __init__ in Rasa's own source."""
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ClassDef) and node.name == class_name:
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name == "__init__":
                    return {a.arg for a in item.args.args + item.args.kwonlyargs} - {"self"}
    raise AssertionError(f"{class_name}.__init__ not found in {source}")


def rasa_source(relative: str) -> Path:
    path = RASA_SITE / relative
    assert path.is_file(), f"{path} is missing: Rasa's venv is set up by `make setup`"
    return path


# --- Kubernetes: valid, and consistent with itself ----------------------------


@pytest.mark.parametrize("path", manifest_files(), ids=lambda p: p.relative_to(DEPLOY).as_posix())
def test_every_manifest_is_valid_kubernetes(path: Path) -> None:
    for doc in yaml_docs(path):
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def test_the_validator_rejects_a_misspelt_field() -> None:
    gateway = copy.deepcopy(resource("Deployment", "gateway"))
    pod_spec(gateway)["containers"][0]["readinessProbe"]["httpGet"]["paht"] = "/"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(gateway, KUBERNETES_VERSION, strict=True)


def test_the_kustomization_applies_every_manifest_but_the_secret_example() -> None:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text(encoding="utf-8"))
    listed = set(kustomization["resources"])
    on_disk = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert listed == {name for name in on_disk if not name.endswith(".example.yaml")}
    images = {image["name"] for image in kustomization["images"]}
    assert {c["image"].rsplit(":", 1)[0] for c in containers().values()} == images


def test_the_trial_adds_its_databases_and_points_the_config_at_them() -> None:
    trial = yaml.safe_load((TRIAL / "kustomization.yaml").read_text(encoding="utf-8"))
    assert trial["resources"][0] == "../k8s"
    for name in trial["resources"][1:]:
        assert (TRIAL / name).is_file()
    for patch in trial["patches"]:
        for op in yaml.safe_load(patch["patch"]):
            assert op["path"].removeprefix("/data/") in config_map(), op["path"]
    trial_files = [TRIAL / name for name in trial["resources"][1:]]
    services = {doc["metadata"]["name"] for p in trial_files for doc in yaml_docs(p)}
    assert {"postgres", "redis"} <= services


def test_the_gateway_names_every_rasa_replica_in_order() -> None:
    rasa = resource("StatefulSet", "rasa")
    service = resource("Service", rasa["spec"]["serviceName"])
    assert service["spec"]["clusterIP"] == "None", "replicas need their own DNS names"
    ports = {p["name"]: p["port"] for p in service["spec"]["ports"]}
    gateway = env_values(containers()["gateway"])
    host = [f"rasa-{n}.{service['metadata']['name']}" for n in range(rasa["spec"]["replicas"])]
    assert gateway["RASA_URLS"].split(",") == [f"http://{h}:{ports['rasa']}" for h in host]
    assert gateway["ACTION_SERVER_URLS"].split(",") == [
        f"http://{h}:{ports['actions']}" for h in host
    ]


def test_ports_and_addresses_agree() -> None:
    c = containers()
    declared = {name: {p["name"]: p["containerPort"] for p in c[name]["ports"]} for name in c}
    assert declared == {
        "rasa": {"rasa": 5005},
        "actions": {"actions": 5055},
        "gateway": {"http": 8080},
    }
    assert env_values(c["rasa"])["ACTION_SERVER_WEBHOOK"] == "http://localhost:5055/webhook"
    assert env_values(c["actions"])["ACTION_SERVER_HOST"] == "0.0.0.0"
    assert env_values(c["actions"])["ACTION_SERVER_PORT"] == "5055"
    assert env_values(c["gateway"])["GATEWAY_HOST"] == "0.0.0.0"
    assert env_values(c["gateway"])["GATEWAY_PORT"] == "8080"
    ingress = resource("Ingress", "peerpath")
    backend = ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    service = resource("Service", backend["name"])
    assert backend["port"]["name"] in {p["name"] for p in service["spec"]["ports"]}


def test_selectors_find_their_pods() -> None:
    labels = {
        name: resource(kind, name)["spec"]["template"]["metadata"]["labels"]
        for kind, name in (("StatefulSet", "rasa"), ("Deployment", "gateway"))
    }
    for name, pod_labels in labels.items():
        selectors = [
            resource("Service", name)["spec"]["selector"],
            resource("PodDisruptionBudget", name)["spec"]["selector"]["matchLabels"],
        ]
        for selector in selectors:
            assert selector.items() <= pod_labels.items(), name
    policy = resource("NetworkPolicy", "rasa-from-gateway-only")["spec"]
    assert policy["podSelector"]["matchLabels"].items() <= labels["rasa"].items()
    allowed = policy["ingress"][0]["from"][0]["podSelector"]["matchLabels"]
    assert allowed.items() <= labels["gateway"].items()


def test_probes_hit_the_real_health_endpoints() -> None:
    c = containers()
    for name, container in c.items():
        ports = {p["name"] for p in container["ports"]}
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            assert container[probe]["httpGet"]["port"] in ports, (name, probe)
    paths = {
        n: {p: c[n][p]["httpGet"]["path"] for p in ("readinessProbe", "livenessProbe")} for n in c
    }
    assert paths["rasa"] == {"readinessProbe": "/", "livenessProbe": "/"}
    assert paths["actions"] == {"readinessProbe": "/health", "livenessProbe": "/health"}
    # The gateway serves crisis replies and hand-offs while Rasa is down: /health
    # (which asks Rasa) must never decide whether it gets traffic or restarts.
    assert paths["gateway"] == {"readinessProbe": "/health/ready", "livenessProbe": "/health/live"}
    startup = c["rasa"]["startupProbe"]
    assert startup["periodSeconds"] * startup["failureThreshold"] >= 180, "Rasa loads for ~90 s"


def test_resources_cover_what_each_process_uses() -> None:
    units = {"Mi": 1, "Gi": 1024}
    for name, container in containers().items():
        requests, limits = container["resources"]["requests"], container["resources"]["limits"]
        assert {"cpu", "memory"} <= requests.keys() & limits.keys(), name
        request_mb, limit_mb = (
            int(v[:-2]) * units[v[-2:]] for v in (requests["memory"], limits["memory"])
        )
        assert RESIDENT_MB[name] <= request_mb < limit_mb, name


def test_pods_run_unprivileged_on_a_read_only_image() -> None:
    for workload in (resource("StatefulSet", "rasa"), resource("Deployment", "gateway")):
        spec = pod_spec(workload)
        assert spec["securityContext"]["runAsNonRoot"] is True
        assert spec["automountServiceAccountToken"] is False
        volumes = {v["name"] for v in spec["volumes"] if "emptyDir" in v}
        for container in spec["containers"]:
            context = container["securityContext"]
            assert context["allowPrivilegeEscalation"] is False
            assert context["readOnlyRootFilesystem"] is True
            assert context["capabilities"]["drop"] == ["ALL"]
            # Rasa unpacks its model there; the index lock lives there (see the Dockerfiles).
            tmp = [m for m in container["volumeMounts"] if m["mountPath"] == "/tmp"]
            assert tmp and tmp[0]["name"] in volumes, container["name"]
            # The image's CMD is what runs (checked against the entry points below).
            assert "command" not in container and "args" not in container


def test_kubernetes_adds_no_variables_of_its_own() -> None:
    # With service links on, every pod would get GATEWAY_PORT=tcp://10.0.0.7:80 from the
    # Service `gateway`, and Settings.from_env would refuse it as the gateway's port.
    for workload in (resource("StatefulSet", "rasa"), resource("Deployment", "gateway")):
        assert pod_spec(workload)["enableServiceLinks"] is False


def test_rasa_never_logs_what_people_type() -> None:
    assert env_values(containers()["rasa"])["LOG_LEVEL"] in {"INFO", "WARNING", "ERROR"}


# --- Rasa's endpoints ----------------------------------------------------------


def test_the_cluster_endpoints_use_keys_rasa_accepts() -> None:
    endpoints = yaml.safe_load(ENDPOINTS.read_text(encoding="utf-8"))
    tracker, lock = endpoints["tracker_store"], endpoints["lock_store"]
    assert tracker["type"].lower() == "sql" and tracker["dialect"] == "postgresql"
    assert lock["type"] == "redis"  # compared as written in rasa/core/lock_store.py
    tracker_keys = init_params(rasa_source("core/tracker_store.py"), "SQLTrackerStore")
    lock_keys = init_params(rasa_source("core/lock_store.py"), "RedisLockStore")
    assert set(tracker) - {"type", "url"} <= tracker_keys - {"domain", "event_broker", "host"}
    assert set(lock) - {"type", "url"} <= lock_keys - {"host"}
    assert endpoints["action_endpoint"]["url"] == "${ACTION_SERVER_WEBHOOK}"


def test_every_endpoint_variable_is_unquoted_and_set_for_rasa() -> None:
    variables = [scalar for scalar in endpoint_scalars() if "$" in scalar.value]
    assert len(variables) == len(endpoint_vars()), "each variable once"
    for scalar in variables:
        assert scalar.style is None, f"{scalar.value} is quoted: Rasa would not expand it"
        assert re.fullmatch(r"\$\{[A-Z0-9_]+\}", scalar.value)
    assert endpoint_vars() <= env_names(containers()["rasa"])


def test_rasas_sql_pool_is_bounded() -> None:
    constants = rasa_source("core/constants.py").read_text(encoding="utf-8")
    assert (
        set(re.findall(r'^POSTGRESQL_(?:POOL_SIZE|MAX_OVERFLOW) = "(\w+)"', constants, re.M))
        == RASA_POOL_NAMES
    )
    config = config_map()
    assert int(config["SQL_POOL_SIZE"]) + int(config["SQL_MAX_OVERFLOW"]) <= 20
    # With a login_db, Rasa 3.6 rebuilds its engine without the pool settings.
    assert config["RASA_DB_LOGIN_DB"] == ""


# --- Environment variables and secrets -----------------------------------------


def test_every_variable_set_is_one_that_something_reads() -> None:
    known = names_peerpath_reads() | CLUSTER_NAMES | endpoint_vars() | RASA_POOL_NAMES
    known |= PLATFORM_NAMES
    for name, container in containers().items():
        assert env_names(container) <= known, (name, env_names(container) - known)
    for image in IMAGES:
        for instruction in dockerfile(image):
            if instruction.keyword == "ENV":
                assert set(env_keys(instruction)) <= known, (image, instruction.args)


def test_the_variable_check_knows_peerpaths_settings() -> None:
    known = names_peerpath_reads()
    assert {"GATEWAY_HOST", "PUBLIC_URL", "HANDOFF_DB_URL", "LOG_LEVEL", "RASA_TOKEN"} <= known
    assert {"HF_HUB_OFFLINE", "RASA_TELEMETRY_ENABLED"} <= known  # the supervisor's child env
    assert "RASA_URLZ" not in known


def test_secrets_come_only_from_the_secret() -> None:
    example = resource("Secret", "peerpath-secrets")
    assert "data" not in example
    used = set()
    for name, container in containers().items():
        for entry in container.get("env", []):
            ref = entry.get("valueFrom", {}).get("secretKeyRef")
            if entry["name"] in SECRET_NAMES:
                assert ref and ref["name"] == "peerpath-secrets", (name, entry["name"])
            if ref:  # one key per variable: Rasa and the gateway share RASA_TOKEN's
                assert ref["key"] == entry["name"], (name, entry["name"])
                used.add(ref["key"])
    assert not SECRET_NAMES & set(config_map())
    assert used == set(example["stringData"]), "the example must show every key, and only those"


def test_the_secret_example_holds_placeholders_only() -> None:
    for key, value in resource("Secret", "peerpath-secrets")["stringData"].items():
        password = re.search(r"://[^:/@]*:([^@]*)@", value)
        assert PLACEHOLDER in (password.group(1) if password else value), key
    for path in manifest_files():
        for doc in yaml_docs(path):
            if doc["kind"] == "Secret":
                assert path.name.endswith(".example.yaml"), f"a real Secret in {path}"


def deployment_files() -> list[Path]:
    files = [p for p in DEPLOY.rglob("*") if p.is_file()]
    return sorted([*files, ENDPOINTS, ROOT / "docs" / "operations.md"])


LITERAL_SECRETS = [
    # a URL with a password in it
    re.compile(r"[a-z+]+://[^\s:/@\"']*:(?P<value>[^\s@\"']+)@"),
    # KEY=value or KEY: value for a secret-looking KEY
    re.compile(
        r"\b[A-Z][A-Z0-9_]*(?:TOKENS?|SECRET|PASSWORD)\b[\"']?\s*[:=]\s*[\"']?(?P<value>[^\s\"',]+)"
    ),
    # a Telegram bot token, a private key
    re.compile(r"\b(?P<value>\d{8,10}:[A-Za-z0-9_-]{35})\b"),
    re.compile(r"(?P<value>-----BEGIN [A-Z ]*PRIVATE KEY-----)"),
]


def is_placeholder(value: str) -> bool:
    """REPLACE_WITH_..., a shell or Kubernetes variable, <a description>, or '...'; or the
    tail of a Compose variable inside ${...}: `:?message` (required) or `:-` (default)."""
    compose_tail = value.startswith(("?", "-}"))
    return (
        PLACEHOLDER in value or "$" in value or value.startswith("<") or set(value) <= {"."}
        or compose_tail
    )  # fmt: skip


@pytest.mark.parametrize("path", deployment_files(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_deployment_file_holds_a_literal_secret(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for pattern in LITERAL_SECRETS:
        for match in pattern.finditer(text):
            assert is_placeholder(match.group("value")), f"{path.name}: {match.group(0)}"


def test_the_secret_check_finds_a_real_one() -> None:
    leaks = [
        "REDIS_URL=redis://:hunter2hunter2@redis:6379/0",
        "  RASA_TOKEN: 'k3q9zX0b'",
        "TELEGRAM_TOKEN=123456789:AAH3fLmz9Qy8W3rT5uVx7Zc2Kd4Ne6Pg8Jk",
    ]
    for leak in leaks:
        values = [m.group("value") for p in LITERAL_SECRETS for m in p.finditer(leak)]
        assert values and not all(map(is_placeholder, values)), leak


# --- Dockerfiles -----------------------------------------------------------------


@pytest.mark.parametrize("image", IMAGES)
def test_base_images_are_pinned(image: str) -> None:
    stages: set[str] = set()
    for instruction in dockerfile(image):
        if instruction.keyword != "FROM":
            continue
        base, _, name = instruction.args.partition(" AS ")
        if base not in stages:
            version = IMAGES[image].replace(".", r"\.")
            pinned = rf"python:{version}\.\d+-slim-[a-z]+(@sha256:[0-9a-f]{{64}})?"
            assert re.fullmatch(pinned, base), f"{image}: {base} is not pinned"
        stages.add(name.strip())


def ignore_patterns(image: str) -> list[str]:
    lines = (DOCKER / f"{image}.Dockerfile.dockerignore").read_text(encoding="utf-8")
    return [line.strip() for line in lines.splitlines() if line.strip() and line[0] != "#"]


def sent_to_the_build(path: str, patterns: list[str]) -> bool:
    """Whether the ignore file lets `path` (or the folder above it) into the build context."""
    parts = path.rstrip("/").split("/")
    included = True
    for pattern in patterns:
        negated = pattern.startswith("!")
        pattern = pattern.lstrip("!").rstrip("/")
        prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
        if any(fnmatch.fnmatchcase(prefix, pattern) for prefix in prefixes):
            included = negated
    return included


@pytest.mark.parametrize("image", IMAGES)
def test_what_the_dockerfile_copies_exists_and_reaches_the_build(image: str) -> None:
    patterns = ignore_patterns(image)
    assert patterns[0] == "*", "everything is left out but what is copied"
    copied = []
    for instruction in dockerfile(image):
        if instruction.keyword == "COPY" and "--from=" not in instruction.args:
            *sources, _ = instruction.args.split()
            for source in sources:
                assert (ROOT / source).exists(), f"{image}: COPY {source}: no such file"
                assert sent_to_the_build(source, patterns), f"{image}: {source} is ignored"
                copied.append(source.rstrip("/"))
    for needed in NEEDS[image]:
        assert needed in copied, f"{image} needs {needed}"
    assert not sent_to_the_build(".env", patterns) and not sent_to_the_build("var/index", patterns)


@pytest.mark.parametrize("image", IMAGES)
def test_the_image_runs_the_real_entry_point_as_a_non_root_user(image: str) -> None:
    final = final_stage(dockerfile(image))
    users = [i.args for i in final if i.keyword == "USER"]
    assert users and users[-1].split(":")[0] not in {"root", "0"}, image
    uid = int(users[-1].split(":")[0])
    assert uid == pod_spec_for(image)["securityContext"]["runAsUser"]
    cmd = json.loads(next(i.args for i in final if i.keyword == "CMD"))
    module = {"rasa": "rasa_addons", "gateway": "bot"}.get(image, image)
    assert cmd[:3] == ["python", "-m", module]
    assert (ROOT / module / "__main__.py").is_file()
    assert f'"-m", "{module}"' in _read("supervisor/specs.py"), "the supervisor runs it this way"
    healthcheck = next(i.args for i in final if i.keyword == "HEALTHCHECK")
    assert f"{HEALTH[image]}'" in healthcheck, f"{image}: HEALTHCHECK asks {healthcheck}"


def test_rasa_runs_as_the_supervisor_runs_it_with_the_cluster_endpoints() -> None:
    final = final_stage(dockerfile("rasa"))
    cmd = json.loads(next(i.args for i in final if i.keyword == "CMD"))
    assert cmd[3:5] == ["run", "--enable-api"]
    options = dict(zip(cmd[5::2], cmd[6::2], strict=True))
    specs = _read("supervisor/specs.py")
    assert set(re.findall(r'"(--[a-z-]+)"', specs)) == {"--enable-api", *options}
    assert options["--endpoints"] == "endpoints.cluster.yml"
    assert options["--interface"] == "0.0.0.0" and options["--port"] == "5005"
    assert (ROOT / options["--credentials"]).is_file()
    runs = " ".join(i.args for i in dockerfile("rasa") if i.keyword == "RUN")
    assert "rasa train --fixed-model-name peerpath --out models" in runs
    assert options["--model"] == "models/peerpath.tar.gz"
    assert any(i.args.endswith(f" {options['--model']}") for i in final if i.keyword == "COPY")
    assert "--auth-token" not in cmd, "the token comes from RASA_TOKEN, never the command line"


@pytest.mark.parametrize("image", ["actions", "gateway"])
def test_app_images_use_cpu_torch_and_build_the_index(image: str) -> None:
    runs = [i.args for i in dockerfile(image) if i.keyword == "RUN"]
    install = next(run for run in runs if "requirements" in run)
    torch = re.search(r"^torch==\S+", _read("requirements/app.txt"), re.M)
    assert torch, "app.txt pins torch"
    cpu = f"{torch.group(0)} --index-url https://download.pytorch.org/whl/cpu"
    assert cpu in install and install.index(cpu) < install.index("runtime.txt")
    assert any("python -m peerpath index" in run for run in runs)
    if image == "gateway":
        assert any("SafetyNet.open(" in run for run in runs), "the safety classifier is built"


def test_the_retention_cronjob_runs_the_gateways_sweep_safely() -> None:
    job = resource("CronJob", "retention")
    pod = job["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert container["image"] == pod_spec_for("gateway")["containers"][0]["image"]
    assert container["command"] == ["python", "-m", "bot", "retention"]
    from bot.__main__ import main  # the command exists: its --help exits cleanly

    with pytest.raises(SystemExit) as shown:
        main(["retention", "--help"])
    assert shown.value.code == 0
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    for entry in container["env"]:
        assert entry["name"] in SECRET_NAMES
        assert entry["valueFrom"]["secretKeyRef"]["key"] == entry["name"]
    assert job["spec"]["concurrencyPolicy"] == "Forbid"


# --- one server: deploy/compose ---------------------------------------------------------

COMPOSE = ROOT / "deploy" / "compose"
PEERPATH_SERVICES = ("rasa", "actions", "gateway")


def compose() -> dict[str, Any]:
    return yaml.safe_load((COMPOSE / "compose.yaml").read_text(encoding="utf-8"))


def test_the_compose_file_is_valid_compose_offline() -> None:
    import subprocess
    import sys

    checked = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec",
         str(COMPOSE / "compose.yaml")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_compose_builds_peerpaths_images_and_publishes_only_the_tls_proxy() -> None:
    services = compose()["services"]
    for name in PEERPATH_SERVICES:
        assert services[name]["build"]["dockerfile"] == f"deploy/docker/{name}.Dockerfile"
        assert (ROOT / services[name]["build"]["dockerfile"]).exists()
        assert services[name]["read_only"] is True and services[name]["cap_drop"] == ["ALL"]
    assert [n for n, s in services.items() if s.get("ports")] == ["caddy"]
    assert "reverse_proxy gateway:8080" in (COMPOSE / "Caddyfile").read_text()
    assert (COMPOSE / "initdb" / "10-rasa.sql").exists()


def test_compose_sets_only_known_variables_and_secrets_only_from_its_env_file() -> None:
    known = names_peerpath_reads() | CLUSTER_NAMES | endpoint_vars() | RASA_POOL_NAMES
    known |= PLATFORM_NAMES
    services = compose()["services"]
    required = set()
    for name in PEERPATH_SERVICES:
        env = services[name]["environment"]
        assert set(env) <= known, (name, set(env) - known)
        for key, value in env.items():
            if key in SECRET_NAMES:
                assert "${" in str(value), (name, key, "a secret is never written here")
    text = (COMPOSE / "compose.yaml").read_text(encoding="utf-8")
    required = set(re.findall(r"\$\{([A-Z_]+):\?", text))
    example = dict(
        line.split("=", 1)
        for line in (COMPOSE / "peerpath.env.example").read_text().splitlines()
        if line and not line.startswith("#")
    )
    assert required <= set(example), required - set(example)
    for key, value in example.items():
        if "PASSWORD" in key or "TOKEN" in key or "SECRET" in key:
            assert value == "" or PLACEHOLDER in value, key


def test_the_gateway_autoscales_within_what_its_budget_allows() -> None:
    hpa = resource("HorizontalPodAutoscaler", "gateway")
    target = hpa["spec"]["scaleTargetRef"]
    assert (target["kind"], target["name"]) == ("Deployment", "gateway")
    budget = resource("PodDisruptionBudget", "gateway")["spec"]["minAvailable"]
    assert hpa["spec"]["minReplicas"] > budget, "a drain never takes the last replica"
    assert all(m["resource"]["name"] == "cpu" for m in hpa["spec"]["metrics"])
    assert pod_spec_for("gateway")["containers"][0]["resources"]["requests"]["cpu"]


def test_the_httproute_mirrors_the_ingress() -> None:
    route = yaml_docs(DEPLOY / "k8s-gateway-api" / "httproute.yaml")[0]
    ingress = resource("Ingress", "peerpath")
    (rule,) = ingress["spec"]["rules"]
    assert route["apiVersion"] == "gateway.networking.k8s.io/v1"
    assert route["spec"]["hostnames"] == [rule["host"]]
    (backend,) = route["spec"]["rules"][0]["backendRefs"]
    service = resource("Service", "gateway")
    assert backend["name"] == service["metadata"]["name"]
    assert backend["port"] in [p["port"] for p in service["spec"]["ports"]]
