"""The test news site on several loopback addresses at once, one process: `python -m tests.runs.cluster_sites HOST...`.

Each address is a domain of its own to the crawler (and to the cluster's per-domain leases). One base URL per line
on stdout, in the order given; it stops when its stdin closes (the test that started it is gone).
"""
from __future__ import annotations

import sys

from monitor.demo.server import serve, stop
from monitor.demo.site import DemoSite


def main(hosts: list[str]) -> int:
    servers = []
    for host in hosts:
        server, base_url = serve(DemoSite(), host=host, port=0)
        servers.append(server)
        print(base_url, flush=True)
    sys.stdin.read()  # until the parent closes the pipe, or dies
    for server in servers:
        stop(server)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
