"""Faulty filesystems for tests: a full disk (a small tmpfs, or a file-size limit standing in) and a read-only folder."""
from __future__ import annotations

import contextlib
import os
import resource
import signal
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

# Big enough for an empty SQLite index and a crawl's state records; far too small for a crawl's articles.
TMPFS_BYTES = 1_500_000
# The stand-in: no file may grow beyond this (writes past it fail with EFBIG, as a full disk fails with ENOSPC).
FSIZE_LIMIT = 48_000


def _run(*argv: str) -> bool:
    return subprocess.run(argv, capture_output=True, check=False).returncode == 0


class FullDisk:
    """A folder on a filesystem that can be filled up and freed again.

    ``kind`` is "tmpfs" (a real small filesystem mounted here: needs root, as in CI) or "fsize" (no mount
    allowed: RLIMIT_FSIZE stands in, applied by ``limit`` to this process or by ``preexec`` to a subprocess,
    so that a write past ``FSIZE_LIMIT`` bytes in one file fails with EFBIG the way a full disk fails with ENOSPC).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        # MONITOR_TEST_FULL_DISK=fsize runs the stand-in even where a tmpfs could be mounted.
        mounted = os.environ.get("MONITOR_TEST_FULL_DISK") != "fsize" and _run(
            "mount", "-t", "tmpfs", "-o", f"size={TMPFS_BYTES}", "tmpfs", str(path))
        self.kind = "tmpfs" if mounted else "fsize"
        self.filler = path / "filler.bin"
        self.is_full = False

    def __repr__(self) -> str:
        return f"FullDisk({str(self.path)!r}, kind={self.kind}, full={self.is_full})"

    def fill(self) -> None:
        """Take every free byte (tmpfs); the stand-in is full only where ``limit``/``preexec`` apply."""
        self.is_full = True
        if self.kind != "tmpfs":
            return
        with open(self.filler, "ab", buffering=0) as handle:
            for chunk in (65536, 4096, 512, 1):
                with contextlib.suppress(OSError):
                    while True:
                        handle.write(b"\0" * chunk)

    def free(self) -> None:
        self.is_full = False
        self.filler.unlink(missing_ok=True)

    @contextlib.contextmanager
    def limit(self) -> Iterator[None]:
        """While inside: this process's writes fail as on a full disk (a no-op for tmpfs, which is really full)."""
        if self.kind == "tmpfs" or not self.is_full:
            yield
            return
        old = resource.getrlimit(resource.RLIMIT_FSIZE)
        handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (FSIZE_LIMIT, old[1]))
        try:
            yield
        finally:
            resource.setrlimit(resource.RLIMIT_FSIZE, old)
            signal.signal(signal.SIGXFSZ, handler)

    def preexec(self) -> Callable[[], None] | None:
        """For subprocess.Popen(preexec_fn=...): the same limit in a child (and its children), when it stands in."""
        if self.kind == "tmpfs" or not self.is_full:
            return None

        def apply() -> None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (FSIZE_LIMIT, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))
        return apply

    def remove(self) -> None:
        if self.kind == "tmpfs":
            _run("umount", "-l", str(self.path))


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[FullDisk]:
    """A filesystem to fill: a real tmpfs where mounting is allowed, else the RLIMIT_FSIZE stand-in."""
    disk = FullDisk(tmp_path / "disk")
    try:
        yield disk
    finally:
        disk.remove()


@pytest.fixture
def read_only_dir(tmp_path: Path) -> Iterator[Callable[[Path], None]]:
    """``make_read_only(folder)``: a read-only bind mount as root (chmod does not stop root), else chmod 555."""
    mounted: list[Path] = []
    changed: list[Path] = []

    def make_read_only(folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            # A read-only bind mount of the folder onto itself: what it holds stays readable.
            if not (_run("mount", "--bind", str(folder), str(folder))
                    and _run("mount", "-o", "remount,bind,ro", str(folder))):
                _run("umount", "-l", str(folder))
                pytest.skip("running as root but cannot bind-mount a folder read-only: no way to make it read-only")
            mounted.append(folder)
        else:
            folder.chmod(0o555)
            changed.append(folder)

    try:
        yield make_read_only
    finally:
        for folder in mounted:
            _run("umount", "-l", str(folder))
        for folder in changed:
            folder.chmod(0o755)
