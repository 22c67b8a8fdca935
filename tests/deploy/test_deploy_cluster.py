"""deploy/docker-compose.cluster.yml, its Prometheus and Grafana files, and the workers' systemd units hang together."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from monitor.config import load_config
from tests.conftest import PROJECT_ROOT

DEPLOY = PROJECT_ROOT / "deploy"
WORKER_UNITS = {"monitor-worker.service": "monitor-worker.service", "monitor-worker@.service": "monitor-worker@9464.service"}


def compose() -> dict[str, Any]:
    data = yaml.safe_load((DEPLOY / "docker-compose.cluster.yml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def mounted(service: dict[str, Any], target: str) -> Path:
    """The file of deploy/ a service mounts at ``target`` (${VAR:-default} resolved to its default)."""
    for volume in service["volumes"]:
        source, inside = volume.removesuffix(":ro").rsplit(":", 1)
        if inside == target:
            return DEPLOY / source.removeprefix("${MONITOR_CONFIG_FILE:-").removesuffix("}")
    raise AssertionError(f"nothing is mounted at {target}")


def test_the_cluster_compose_file_runs_serve_and_worker_replicas_on_redis_postgres_and_elasticsearch() -> None:
    data = compose()
    services: dict[str, Any] = data["services"]
    assert {"redis", "postgres", "elasticsearch", "monitor", "worker", "prometheus", "grafana"} <= set(services)
    for name, service in services.items():
        assert "image" in service, name
        for dependency in service.get("depends_on", {}):
            assert dependency in services, f"{name} depends on unknown {dependency}"
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if source.startswith("./"):
                assert (DEPLOY / source).exists(), f"{name} mounts {source}, which deploy/ lacks"
            elif not source.startswith("$"):
                assert source in data["volumes"], f"{name}: volume {source} is not declared"
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), f"{name} publishes {port} beyond this machine"
    assert services["redis"]["image"].startswith("redis:") and services["postgres"]["image"].startswith("postgres:")
    serve, worker = services["monitor"], services["worker"]
    assert serve["command"] == ["serve"]
    assert worker["command"][0] == "worker" and "--concurrency" in worker["command"]
    assert worker["deploy"]["replicas"] == "${MONITOR_WORKERS:-3}"
    for service in (serve, worker):
        assert service["build"]["dockerfile"] == "deploy/Dockerfile"
        assert {"elasticsearch", "redis", "postgres"} <= set(service["depends_on"])
        env = service["environment"]
        assert env["PGPASSWORD"].startswith("${POSTGRES_PASSWORD:?")  # the state store's password: never in the file
        assert env["MONITOR_CONFIG"] == "/config/monitor.yaml"
    assert services["postgres"]["environment"]["POSTGRES_PASSWORD"] == serve["environment"]["PGPASSWORD"]


def test_the_config_the_cluster_mounts_passes_validation_and_names_the_compose_services() -> None:
    services = compose()["services"]
    config = load_config(mounted(services["monitor"], "/config/monitor.yaml"))
    assert mounted(services["worker"], "/config/monitor.yaml") == mounted(services["monitor"], "/config/monitor.yaml")
    assert config.cluster.enabled and config.cluster.broker == "redis://redis:6379/0"
    assert config.state_url.startswith("postgresql://monitor@postgres:5432/")
    assert config.index.url == "http://elasticsearch:9200"
    assert str(config.data_dir) == "/data"
    # Prometheus scrapes serve's web server by its compose name from its own container.
    assert config.web.metrics == "public" and "monitor" in config.web.allowed_hosts
    assert config.web.host == "0.0.0.0" and config.web.port == 8080


def test_prometheus_scrapes_serve_and_every_worker_and_grafana_gets_the_dashboard() -> None:
    services = compose()["services"]
    prometheus = yaml.safe_load(mounted(services["prometheus"], "/etc/prometheus/prometheus.yml").read_text())
    jobs = {job["job_name"]: job for job in prometheus["scrape_configs"]}
    assert jobs["monitor-serve"]["static_configs"] == [{"targets": ["monitor:8080"]}]
    [workers] = jobs["monitor-worker"]["dns_sd_configs"]
    port = services["worker"]["command"][services["worker"]["command"].index("--metrics-port") + 1]
    assert (workers["names"], workers["port"]) == (["worker"], int(port))
    dashboard = mounted(services["grafana"], "/var/lib/grafana/dashboards/monitor-dashboard.json")
    assert dashboard == DEPLOY / "grafana" / "monitor-dashboard.json"
    provisioning = mounted(services["grafana"], "/etc/grafana/provisioning")
    [provider] = yaml.safe_load((provisioning / "dashboards" / "monitor.yml").read_text())["providers"]
    assert provider["options"]["path"] == "/var/lib/grafana/dashboards"
    [source] = yaml.safe_load((provisioning / "datasources" / "prometheus.yml").read_text())["datasources"]
    assert (source["type"], source["url"]) == ("prometheus", "http://prometheus:9090")


def unit(name: str) -> dict[str, dict[str, str]]:
    sections: dict[str, dict[str, str]] = {}
    current = ""
    for line in (DEPLOY / "systemd" / name).read_text(encoding="utf-8").splitlines():
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1]
            sections[current] = {}
        elif "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            sections[current][key] = value
    return sections


@pytest.mark.parametrize("name", sorted(WORKER_UNITS))
def test_worker_units_run_monitor_worker_and_restart_it(name: str) -> None:
    service = unit(name)["Service"]
    assert service["ExecStart"].split()[1:3] == ["worker", "--concurrency"]
    assert service["Restart"] == "always" and service["KillMode"] == "mixed"
    assert service["User"] != "root" and service["EnvironmentFile"] == "-/etc/monitor/environment"
    if name.endswith("@.service"):
        assert service["ExecStart"].endswith("--metrics-port %i")  # each instance its own port
    assert unit(name)["Install"]["WantedBy"] == "multi-user.target"


def test_systemd_analyze_verifies_the_worker_units(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed (Debian's systemd package); the parse test still ran")
    # The unit's own ExecStart (/opt/monitor/venv/bin/monitor) does not exist here: this checkout's does.
    monitor = Path(sys.executable).with_name("monitor")
    for source in WORKER_UNITS:
        text = (DEPLOY / "systemd" / source).read_text(encoding="utf-8")
        (tmp_path / source).write_text(text.replace("/opt/monitor/venv/bin/monitor", str(monitor)), encoding="utf-8")
    result = subprocess.run([analyze, "verify", "--man=no", *(f"./{loaded}" for loaded in WORKER_UNITS.values())],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert (result.returncode, result.stderr) == (0, "")
