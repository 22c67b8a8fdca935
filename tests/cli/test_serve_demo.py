"""`monitor serve --host/--port` and `monitor demo` run twice in one folder, as a user runs them."""
from __future__ import annotations

import json
import os
import shlex
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from monitor.cli.demo import write_demo_config
from tests.conftest import PROJECT_ROOT, run_monitor, write_config

pytestmark = pytest.mark.e2e  # real servers and crawls


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _answers(url: str, *, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            time.sleep(0.3)
    return False


def test_serve_listens_on_the_host_and_port_given(tmp_path: Path) -> None:
    config = write_config(tmp_path, [{"name": "gazette", "feeds": ["http://127.0.0.1:9/feed"]}],
                          web={"port": _free_port()})  # what the flags must override
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "monitor.cli", "--config", str(config), "serve",
                               "--host", "127.0.0.1", "--port", str(port)], cwd=PROJECT_ROOT,
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        assert _answers(f"http://127.0.0.1:{port}/api/sources", seconds=60)
    finally:
        server.terminate()
        _, log = server.communicate(timeout=60)
    assert server.returncode == 0, log


def test_serve_refuses_web_flags_without_the_web(tmp_path: Path) -> None:
    config = write_config(tmp_path, [{"name": "gazette", "feeds": ["http://127.0.0.1:9/feed"]}])
    done = run_monitor("serve", "--no-web", "--port", "8099", config=config, check=False)
    assert done.returncode == 2 and "--no-web" in done.stderr


def _counts(directory: Path) -> dict[str, int]:
    status = run_monitor("index", "status", "--json", config=directory / "monitor.yaml").stdout
    return dict(json.loads(status)["counts"])


def test_demo_twice_in_one_folder_updates_the_same_documents_and_its_commands_paste(tmp_path: Path) -> None:
    narrow = {"COLUMNS": "60"}
    first = run_monitor("demo", "--dir", "monitor-demo", cwd=tmp_path, env=narrow)
    directory = tmp_path / "monitor-demo"
    after_first = _counts(directory)
    assert after_first["article"] > 0 and after_first["comment"] > 0
    second = run_monitor("demo", "--dir", "monitor-demo", cwd=tmp_path, env=narrow)
    assert _counts(directory) == after_first
    assert first.stdout.splitlines()[0] == second.stdout.splitlines()[0]  # the same site address

    commands = [line.strip() for line in second.stdout.splitlines() if line.startswith("  monitor ")]
    assert len(commands) == 2 and all(len(line) > 60 for line in commands)  # longer than the terminal: unwrapped
    search = shlex.split(commands[0])
    assert search[search.index("search") + 1] == '"wind farm" OR café'
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), **narrow}
    found = subprocess.run([sys.executable, "-m", "monitor.cli", *search[1:], "--json"], capture_output=True,
                           text=True, timeout=120, cwd=tmp_path, env=env, check=True)
    hit = json.loads(found.stdout)["hits"][0]
    thread = shlex.split(commands[1].replace("URL_FROM_A_RESULT", shlex.quote(hit["url"])))
    shown = subprocess.run([sys.executable, "-m", "monitor.cli", *thread[1:]], capture_output=True, text=True,
                           timeout=120, cwd=tmp_path, env=env, check=True)
    assert hit["article_title"] in " ".join(shown.stdout.split())


def test_demo_whose_port_is_taken_says_which_and_what_to_do(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = int(taken.getsockname()[1])
        write_demo_config(tmp_path / "monitor-demo", f"http://127.0.0.1:{port}")  # as an earlier demo left it
        done = run_monitor("demo", "--dir", "monitor-demo", cwd=tmp_path, check=False)
    assert done.returncode == 2
    assert f"port {port}, which is busy" in " ".join(done.stderr.split()) and "--dir" in done.stderr
