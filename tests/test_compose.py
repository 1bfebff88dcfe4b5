"""deploy/compose.yaml cannot be run here (no Docker engine), so it is checked as data: keys the
Compose specification knows, images pinned, every path, volume, network and dependency it names
exists, and every ETI_* variable is a real setting."""

from __future__ import annotations

import ipaddress
import json
import re
from importlib.metadata import version
from pathlib import Path

import yaml

from eti.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
TOP = {"name", "services", "volumes", "networks", "configs", "secrets", "include"}
SERVICE = {"image", "build", "command", "entrypoint", "environment", "env_file", "volumes", "ports", "expose",
           "depends_on", "deploy", "healthcheck", "restart", "networks", "profiles", "user", "working_dir",
           "labels", "logging", "ulimits", "stop_grace_period", "read_only", "tmpfs", "cap_drop", "security_opt"}
CONDITIONS = {"service_started", "service_healthy", "service_completed_successfully"}
RESTART = {"no", "always", "on-failure", "unless-stopped"}


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))


def test_only_keys_the_compose_specification_knows():
    spec = compose()
    assert set(spec) <= TOP, set(spec) - TOP
    for name, svc in spec["services"].items():
        assert set(svc) <= SERVICE, (name, set(svc) - SERVICE)
        assert svc.get("restart", "no") in RESTART, name
        for key in ("command", "entrypoint"):
            assert isinstance(svc.get(key, []), list), f"{name}.{key}: exec form"
        for dep, cond in (svc.get("depends_on") or {}).items():
            assert dep in spec["services"] and cond["condition"] in CONDITIONS, (name, dep)
        if "healthcheck" in svc:
            assert svc["healthcheck"]["test"][0] in ("CMD", "CMD-SHELL"), name


def test_images_are_pinned_and_builds_point_at_the_dockerfile():
    spec = compose()
    built = {svc["image"] for svc in spec["services"].values() if "build" in svc}
    for name, svc in spec["services"].items():
        assert "image" in svc or "build" in svc, name
        if "build" in svc:
            context = (DEPLOY / svc["build"]["context"]).resolve()
            assert (context / svc["build"].get("dockerfile", "Dockerfile")).is_file(), name
        elif svc["image"] not in built:
            assert re.fullmatch(r"[\w./-]+:\d[\w.-]*", svc["image"]), f"{name}: pin a version, not latest"
    chroma = spec["services"]["chroma"]["image"]
    assert chroma == f"chromadb/chroma:{version('chromadb')}", "the Chroma server must match the client"


def test_every_volume_network_and_file_it_names_exists():
    spec = compose()
    volumes, networks = set(spec.get("volumes") or {}), set(spec.get("networks") or {})
    for name, svc in spec["services"].items():
        for mount in svc.get("volumes", []):
            source = mount.split(":", 1)[0]
            if source.startswith((".", "/")):
                assert (DEPLOY / source).exists(), f"{name}: {source}"
            else:
                assert source in volumes, f"{name}: volume {source} not declared"
        nets = svc.get("networks", [])
        assert set(nets) <= networks, name


def test_the_api_trusts_exactly_the_proxy_and_shares_state():
    spec = compose()
    api, proxy = spec["services"]["api"], spec["services"]["proxy"]
    env = api["environment"]
    fields = set(Settings.model_fields)
    assert all(k.startswith("ETI_") and k[4:].lower() in fields for k in env), "every ETI_* is a setting"
    proxy_ip = proxy["networks"]["eti"]["ipv4_address"]
    assert json.loads(env["ETI_TRUSTED_PROXIES"]) == [proxy_ip]
    subnet = ipaddress.ip_network(spec["networks"]["eti"]["ipam"]["config"][0]["subnet"])
    assert ipaddress.ip_address(proxy_ip) in subnet
    assert env["ETI_REDIS_URL"].startswith("redis://redis:") and env["ETI_CHROMA_URL"] == "http://chroma:8000"
    assert "eti-data:/data" in api["volumes"] and env["ETI_DATA_DIR"] == "/data"
    assert api["deploy"]["replicas"] >= 2 and "--workers" in api["command"]
    assert "reverse_proxy api:8000" in (DEPLOY / "Caddyfile").read_text(encoding="utf-8")
