"""Loaded by every Python process started with this directory on ``PYTHONPATH`` (the CLI, the
temporary Prefect server, worker processes): logs every outbound connection and name lookup
to ``$NEWSETL_AUDIT_LOG`` through an audit hook (PEP 578), one JSON line each, so a test can
check that a run made no non-loopback connection. Observes only; changes nothing."""

import json
import os
import sys

_LOG = os.environ.get("NEWSETL_AUDIT_LOG")


def _write(record):
    line = json.dumps({**record, "pid": os.getpid()}, default=str) + "\n"
    fd = os.open(_LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line.encode())
    finally:
        os.close(fd)


def _hook(event, args):
    if event not in ("socket.connect", "socket.getaddrinfo", "socket.gethostbyname"):
        return
    try:
        if event == "socket.connect":
            sock, address = args
            _write({"event": event, "family": int(sock.family), "address": address})
        else:
            _write({"event": event, "host": args[0]})
    except Exception:  # never break the process being observed
        pass


if _LOG:
    _write({"event": "start", "argv": sys.argv})  # which processes were observed
    sys.addaudithook(_hook)
