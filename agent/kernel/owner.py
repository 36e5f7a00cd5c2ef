"""Which process holds a claim (host, pid and a per-process token), and whether it is gone.

A claim names its process so that, on the same host, a restarted process takes over the claims
of a dead one at once instead of waiting out a lease (issue #12); a claim of a live process, or
of another host (undecidable here), is left to its lease.
"""

from __future__ import annotations

import os
import socket
import uuid

HOST = socket.gethostname()
TOKEN = uuid.uuid4().hex  # this process (a pid can come back after a container restart)


def holder() -> str:
    """This process, as stored in a claim: `host pid token`."""
    return f"{HOST} {os.getpid()} {TOKEN}"


def process_gone(host: str | None, pid: int | None, ours: bool) -> bool:
    """True when process `pid` of `host` is known dead (only decidable on this host).

    `ours` tells, for a claim naming our own pid, whether this process made it; if not, it was
    an earlier process that had our pid (a container restart), so that one is gone.
    """
    if host != HOST or not pid:
        return False
    if pid == os.getpid():
        return not ours
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def holder_gone(stored: str | None) -> bool:
    """True when the process a stored `holder()` names is known dead (only on this host)."""
    host, _, rest = (stored or "").partition(" ")
    pid, _, token = rest.partition(" ")
    return pid.isdigit() and process_gone(host, int(pid), token == TOKEN)
