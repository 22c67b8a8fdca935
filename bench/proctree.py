"""CPU seconds and PSS of a process and all its descendants, read from /proc while they run."""
from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def descendants(pid: int) -> list[int]:
    """Every live process under ``pid`` (children, their children, ...)."""
    out, todo = [], [pid]
    while todo:
        parent = todo.pop()
        children: list[int] = []
        # Each thread lists the children it started: a supervisor starts its crawls from worker threads.
        for task in Path(f"/proc/{parent}/task").glob("*/children"):
            try:
                children += [int(c) for c in task.read_text().split()]
            except OSError:
                continue
        out += children
        todo += children
    return out


def cpu_seconds(pid: int) -> float | None:
    """The process's own user + system CPU (not its children's), None once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICK


def pss_kb(pid: int) -> int:
    """Proportional set size: shared pages (the forkserver's and its workers') counted once over the tree."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def command_of(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


@dataclass
class Sample:
    """One PSS reading of the tree, with whatever progress the caller reports at that moment."""

    at: float
    pss_kb: int
    progress: int
    by_pid: dict[int, int] = field(default_factory=dict)


@dataclass
class TreeWatch:
    """Samples a process tree until stopped: the last CPU seen for every pid (a pid's CPU is kept after it exits,
    so a pool worker that ended still counts), and the tree's PSS every ``pss_every`` seconds.

    ``progress``: called at each PSS sample (articles done so far, say), kept beside it.
    """

    root: int
    interval: float = 0.1
    pss_every: float = 1.0
    progress: Callable[[], int] = lambda: 0
    cpu: dict[int, float] = field(default_factory=dict)
    commands: dict[int, str] = field(default_factory=dict)
    samples: list[Sample] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> TreeWatch:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        last_pss = 0.0
        while not self._stop.is_set():
            self.read_cpu()
            now = time.monotonic()
            if now - last_pss >= self.pss_every:
                last_pss = now
                pids = [self.root, *descendants(self.root)]
                by_pid = {pid: pss_kb(pid) for pid in pids}
                self.samples.append(Sample(at=now, pss_kb=sum(by_pid.values()), progress=self.progress(),
                                           by_pid=by_pid))
            self._stop.wait(self.interval)

    def read_cpu(self) -> None:
        for pid in [self.root, *descendants(self.root)]:
            seconds = cpu_seconds(pid)
            if seconds is not None:
                self.cpu[pid] = max(self.cpu.get(pid, 0.0), seconds)
                if pid not in self.commands:
                    self.commands[pid] = command_of(pid)

    @property
    def total_cpu(self) -> float:
        return sum(self.cpu.values())

    @property
    def peak_pss_kb(self) -> int:
        return max((s.pss_kb for s in self.samples), default=0)

    def cpu_of(self, predicate: Callable[[str], bool]) -> float:
        """CPU of the processes whose command line ``predicate`` accepts."""
        return sum(seconds for pid, seconds in self.cpu.items() if predicate(self.commands.get(pid, "")))
