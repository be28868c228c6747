"""The shipped deployments, read as a cluster or Docker would read them: deploy/k8s
rendered as kustomize renders it, deploy/compose.yaml and the Dockerfile's default
command. Every copydesk flag is one the command knows, given once; every host a URL or a
broker list names is a service the files define; every secret comes from a secret; the
metrics endpoint listens where the probe and the scraper can reach it."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from pipelines import cli

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
COMPOSE = ROOT / "deploy" / "compose.yaml"
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
# Kinds without a namespace (kustomize's `namespace:` leaves them alone).
CLUSTER_KINDS = {"Namespace", "ClusterRole", "ClusterRoleBinding", "PersistentVolume", "StorageClass"}
# What kustomization.yaml may use: the renderer below handles exactly these.
KUSTOMIZE_FIELDS = {"apiVersion", "kind", "namespace", "resources", "images"}
# Names a password or key travels under: they must come from a secret.
SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|CREDENTIAL", re.IGNORECASE)
SECRET_FLAGS = {"--sasl-password", "--ssl-password"}


# Rendering ----------------------------------------------------------------------------


def render_kustomization(folder: Path) -> list[dict]:
    """What ``kubectl kustomize folder`` prints, for the features this kustomization uses."""
    spec = yaml.safe_load((folder / "kustomization.yaml").read_text(encoding="utf-8"))
    unknown = set(spec) - KUSTOMIZE_FIELDS
    assert not unknown, f"the test's renderer does not handle {sorted(unknown)}; teach it"
    images = {i["name"]: i for i in spec.get("images", ())}
    rendered = []
    for resource in spec["resources"]:
        for doc in yaml.safe_load_all((folder / resource).read_text(encoding="utf-8")):
            if doc is None:
                continue
            if spec.get("namespace") and doc["kind"] not in CLUSTER_KINDS:
                doc.setdefault("metadata", {})["namespace"] = spec["namespace"]
            for container in containers(doc):
                name, _, tag = container["image"].partition(":")
                if name in images:
                    new = images[name]
                    container["image"] = f"{new.get('newName', name)}:{new.get('newTag', tag or 'latest')}"
            rendered.append(doc)
    return rendered


def containers(doc: dict) -> list[dict]:
    pod = doc.get("spec", {}).get("template", {}).get("spec", {})
    return [*pod.get("initContainers", ()), *pod.get("containers", ())]


def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def example_secrets() -> list[dict]:
    return [doc for path in sorted(K8S.glob("*.example.yaml"))
            for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]


def dockerfile_command() -> list[str]:
    [line] = [line for line in DOCKERFILE.read_text(encoding="utf-8").splitlines()
              if line.startswith("CMD ")]
    return json.loads(line[len("CMD "):])


# Checks ------------------------------------------------------------------------------


def copydesk_flags(argv: list[str]) -> dict[str, list[str]]:
    """dest -> values given, for a copydesk command line; fails on a flag copydesk's
    command does not know, and parses the line as copydesk would."""
    command = argv[0]
    root = cli.parser(command)
    ours = cli._subparser(root, command)
    by_flag = {flag: action for action in ours._actions for flag in action.option_strings}
    given: dict[str, list[str]] = {}
    words = iter(argv[1:])
    for word in words:
        if not word.startswith("-"):
            continue  # an input path: parse_args below checks that the command takes it
        flag, has_value, value = word.partition("=")
        assert flag in by_flag, f"{flag} is not a flag of copydesk {command}"
        action = by_flag[flag]
        if action.nargs != 0 and not has_value:
            value = next(words)
        given.setdefault(action.dest, []).append(value)
    twice = {dest: values for dest, values in given.items() if len(values) > 1}
    assert not twice, f"given more than once: {twice}"
    root.parse_args(argv)
    return given


def hosts_named(given: dict[str, list[str]]) -> set[str]:
    """Hosts of every URL and broker list on a command line."""
    hosts = set()
    for values in given.values():
        for value in values:
            if "://" in value:
                server = value.split("://", 1)[1].rpartition("@")[2].split("/", 1)[0].split("?", 1)[0]
                hosts.update(part.rsplit(":", 1)[0] for part in server.split(",") if part)
    for servers in given.get("bootstrap_servers", ()):
        hosts.update(part.rsplit(":", 1)[0] for part in servers.split(","))
    return hosts


def expand(word: str, env: dict[str, str]) -> str:
    """Kubernetes' $(VAR) in args, with a stand-in for each value."""
    def value(match: re.Match) -> str:
        assert match.group(1) in env, f"$({match.group(1)}) is not in the container's env"
        return f"value-of-{match.group(1)}"

    return re.sub(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)", value, word)


def assert_metrics_reachable(given: dict[str, list[str]], where: str) -> None:
    if given.get("metrics_port"):
        assert given.get("metrics_address") == ["0.0.0.0"], (
            f"{where} serves metrics on the loopback address, where no probe or scraper reaches them")


# Kubernetes --------------------------------------------------------------------------


def copydesk_containers(docs: list[dict]) -> list[tuple[dict, dict]]:
    return [(doc, c) for doc in docs for c in containers(doc)
            if c["image"].split(":")[0].endswith("/copydesk")]


def test_every_flag_of_the_kubernetes_workers_is_a_copydesk_flag_given_once():
    docs = render_kustomization(K8S)
    found = copydesk_containers(docs)
    assert found, "no copydesk container in deploy/k8s"
    for doc, container in found:
        env = {e["name"]: e for e in container.get("env", ())}
        given = copydesk_flags([expand(a, env) for a in container["args"]])
        assert_metrics_reachable(given, f"{doc['metadata']['name']}/{container['name']}")
        ports = {p["name"]: p["containerPort"] for p in container.get("ports", ())}
        if given.get("metrics_port"):
            assert int(given["metrics_port"][0]) in ports.values()
            annotations = doc["spec"]["template"]["metadata"].get("annotations", {})
            assert annotations.get("prometheus.io/port") == given["metrics_port"][0]


def test_every_host_the_kubernetes_workers_name_is_a_service_of_the_manifests():
    docs = render_kustomization(K8S)
    services = {doc["metadata"]["name"] for doc in docs if doc["kind"] == "Service"}
    namespace = yaml.safe_load((K8S / "kustomization.yaml").read_text())["namespace"]
    for _, container in copydesk_containers(docs):
        env = {e["name"]: e for e in container.get("env", ())}
        given = copydesk_flags([expand(a, env) for a in container["args"]])
        # The Kafka cluster is the user's own: deploy/k8s ships none, so only URLs are ours.
        urls = {dest: v for dest, v in given.items() if dest != "bootstrap_servers"}
        for host in hosts_named(urls):
            short = host.split(".")
            assert short[0] in services and (len(short) == 1 or short[1] == namespace), (
                f"{host} is not a Service of deploy/k8s ({sorted(services)})")


def test_kubernetes_secrets_come_from_secrets():
    docs = render_kustomization(K8S)
    defined = {}
    for doc in example_secrets():
        assert doc["kind"] == "Secret"
        name = doc["metadata"]["name"]
        assert name not in defined, f"Secret {name} is defined twice in the examples"
        defined[name] = set(doc.get("stringData", {})) | set(doc.get("data", {}))
    checked = 0
    for doc in docs:
        assert doc["kind"] != "Secret", "a real secret belongs outside the kustomization"
        for container in containers(doc):
            for variable in container.get("env", ()):
                reference = variable.get("valueFrom", {}).get("secretKeyRef")
                if SECRET_NAME.search(variable["name"]):
                    assert reference, f"{variable['name']} must come from a secretKeyRef"
                if reference:
                    assert reference["key"] in defined.get(reference["name"], ()), reference
                    checked += 1
            for word in container.get("args", ()):
                assert word.split("=")[0] not in SECRET_FLAGS, f"{word}: read it from a secret"
                assert not re.search(r"://[^/@]*:[^/@]*@", word), f"{word}: a password in a URL"
    assert checked >= 3


def test_the_renderer_agrees_with_kubectl_kustomize():
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl is not installed (no Debian package provides it)")
    printed = subprocess.run([kubectl, "kustomize", str(K8S)], check=True, capture_output=True,
                             text=True, timeout=120).stdout
    theirs = sorted((json.dumps(d, sort_keys=True) for d in yaml.safe_load_all(printed) if d))
    ours = sorted(json.dumps(d, sort_keys=True) for d in render_kustomization(K8S))
    assert ours == theirs


# Docker Compose and the image --------------------------------------------------------


def test_every_flag_of_the_compose_services_is_a_copydesk_flag_given_once_naming_its_services():
    spec = compose()
    services = set(spec["services"])
    checked = 0
    for name, service in spec["services"].items():
        image = service.get("image", "")
        if not (image.startswith("copydesk") or "build" in service):
            continue
        given = copydesk_flags(service["command"])
        if given.get("metrics_port"):
            assert_metrics_reachable(given, f"compose service {name}")
        for host in hosts_named(given):
            assert host in services, f"compose service {name} names {host}, not a service"
        for dependency in service.get("depends_on", {}):
            assert dependency in services
        checked += 1
    assert checked >= 2


def test_compose_secrets_come_from_the_environment():
    for name, service in compose()["services"].items():
        for variable, value in (service.get("environment") or {}).items():
            if SECRET_NAME.search(variable):
                assert re.fullmatch(r"\$\{[A-Z_]+(:\?[^}]*)?\}", str(value)), (
                    f"{name}: {variable} must come from the environment, not the file")
        for word in service.get("command") or ():
            assert word.split("=")[0] not in SECRET_FLAGS
            assert not re.search(r"://[^/@]*:[^/@]*@", word), f"{name}: a password in a URL"


def test_the_images_default_command_is_a_copydesk_command():
    given = copydesk_flags(dockerfile_command())
    assert_metrics_reachable(given, "the Dockerfile's CMD")


def test_metrics_are_served_on_the_loopback_address_unless_asked():
    args = cli.parser("stream").parse_args(["stream", "--topic", "t", "--output", "o",
                                            "--bootstrap-servers", "k:9092"])
    assert args.metrics_address == "127.0.0.1"
