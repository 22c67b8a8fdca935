"""The docker-compose files in deploy/ (no Docker engine here): they parse and hang together."""
from __future__ import annotations

import re
from typing import Any

import pytest
import yaml

from tests.conftest import PROJECT_ROOT

DEPLOY = PROJECT_ROOT / "deploy"
COMPOSE_FILES = {"docker-compose.yml": "elasticsearch", "docker-compose.opensearch.yml": "opensearch"}


def load(name: str) -> dict[str, Any]:
    data = yaml.safe_load((DEPLOY / name).read_text(encoding="utf-8"))  # resolves the x-monitor merge keys
    assert isinstance(data, dict)
    return data


@pytest.mark.parametrize("name", sorted(COMPOSE_FILES))
def test_compose_file_is_consistent(name: str) -> None:
    compose = load(name)
    services: dict[str, Any] = compose["services"]
    engine = COMPOSE_FILES[name]
    assert {engine, "monitor", "monitor-web"} <= set(services)
    for service_name, service in services.items():
        assert "image" in service or "build" in service, service_name
        for dependency in service.get("depends_on", {}):
            assert dependency in services, f"{service_name} depends on unknown {dependency}"
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if not source.startswith(("$", ".", "/")):
                assert source in compose.get("volumes", {}), f"{service_name}: volume {source} is not declared"
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), f"{service_name} publishes {port} beyond this machine"
    for service_name in ("monitor", "monitor-web"):
        monitor = services[service_name]
        build = monitor["build"]
        assert (DEPLOY / build["context"] / build["dockerfile"]).resolve() == DEPLOY / "Dockerfile"
        assert monitor["depends_on"][engine]["condition"] == "service_healthy"
        env = monitor["environment"]
        # Credentials come from the environment, never from a file in the image or the config.
        assert env["MONITOR_INDEX_USERNAME"] and re.fullmatch(r"\$\{[A-Z_]+:\?.+\}", env["MONITOR_INDEX_PASSWORD"])
        assert env["MONITOR_CONFIG"] == "/config/monitor.yaml"


def test_dockerfile_copies_what_exists_and_installs_the_engine_clients() -> None:
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.startswith("COPY "):
            for source in line.split()[1:-1]:
                assert (PROJECT_ROOT / source).exists(), source
    assert '".[engines]"' in text and "ELASTICSEARCH_CLIENT" in text
    assert re.search(r"^USER (?!root)", text, re.M)
