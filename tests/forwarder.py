"""TCP proxies on 127.0.0.1 in front of an engine: a plain forwarder, and one that freezes the engine mid-write."""
from __future__ import annotations

import contextlib
import os
import signal
import socket
import threading
from types import TracebackType


class Forwarder:
    """Listens on ``listen_port`` and pipes every connection to ``upstream_port``, until closed."""

    def __init__(self, listen_port: int, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self._server = socket.create_server(("127.0.0.1", listen_port))
        self.url = f"http://127.0.0.1:{self._server.getsockname()[1]}"
        self._sockets: list[socket.socket] = [self._server]
        threading.Thread(target=self._accept, daemon=True).start()

    def __repr__(self) -> str:
        return f"Forwarder({self.url} -> 127.0.0.1:{self.upstream_port})"

    def __enter__(self) -> Forwarder:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
                upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
            except OSError:
                return
            self._sockets += [client, upstream]
            threading.Thread(target=_pump, args=(client, upstream), daemon=True).start()
            threading.Thread(target=_pump, args=(upstream, client), daemon=True).start()

    def close(self) -> None:
        for sock in self._sockets:
            with contextlib.suppress(OSError):
                sock.close()


def _pump(source: socket.socket, target: socket.socket) -> None:
    try:
        while chunk := source.recv(65536):
            target.sendall(chunk)
    except OSError:
        pass
    finally:
        for sock in (source, target):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class FreezingProxy:
    """A TCP proxy on 127.0.0.1 in front of the engine that, once armed, SIGSTOPs the engine's JVM as the next
    bulk request goes through, before forwarding it: the freeze lands in the middle of a write, every time.

    The JVM's kernel still accepts connections and takes the bytes, as for any stopped process, so the
    crawl sees what a frozen engine gives: requests that are never answered.
    """

    def __init__(self, upstream_port: int, jvm_pid: int) -> None:
        self.upstream_port = upstream_port
        self.jvm_pid = jvm_pid
        self.armed = threading.Event()
        self.frozen = threading.Event()
        self._server = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._server.getsockname()[1]}"
        self._sockets: list[socket.socket] = [self._server]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
            self._sockets += [client, upstream]
            threading.Thread(target=self._pump, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, False), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket, to_engine: bool) -> None:
        try:
            while chunk := source.recv(65536):
                if to_engine and self.armed.is_set() and b"POST /_bulk" in chunk and not self.frozen.is_set():
                    os.kill(self.jvm_pid, signal.SIGSTOP)
                    self.frozen.set()
                target.sendall(chunk)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def thaw(self) -> None:
        self.armed.clear()
        os.kill(self.jvm_pid, signal.SIGCONT)

    def close(self) -> None:
        for sock in self._sockets:
            with contextlib.suppress(OSError):
                sock.close()
