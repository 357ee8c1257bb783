"""The fetcher's network layer: connect only to checked addresses, and never past a deadline.

Two guarantees that httpx alone does not give:

* **The connection goes to the address that was checked.** A host name is resolved once, every
  address it resolves to is checked against the :class:`~newsetl.urlpolicy.UrlPolicy`, and
  the socket is opened to that address (TLS still verifies and sends SNI for the host name,
  and the Host header is untouched). Checking a name and letting the library resolve it again
  would leave a DNS-rebinding window (first answer public, second answer 127.0.0.1).
* **A whole-fetch deadline.** httpx timeouts are per operation: a server that sends one byte
  per second never trips a 15 s read timeout, in the headers or in the body. Every socket
  operation here is bounded by the time left before the deadline of the fetch running on this
  thread (:func:`deadline`), so a trickling server is cut off when the deadline passes.

Implemented as an httpcore network backend (the documented extension point for custom
connection logic) wrapped around httpcore's own synchronous backend.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import threading
import time
import typing
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

import httpcore
import httpx
from httpcore._backends.sync import SyncBackend

from newsetl.urlpolicy import UrlPolicy, literal_address

_local = threading.local()


@contextlib.contextmanager
def deadline(seconds: float | None) -> Iterator[None]:
    """Bound every socket operation of this thread to ``seconds`` from now (nested calls keep
    the earlier deadline if it comes first)."""
    previous = getattr(_local, "deadline", None)
    when = None if seconds is None else time.monotonic() + max(0.0, seconds)
    if previous is not None and (when is None or previous < when):
        when = previous
    _local.deadline = when
    try:
        yield
    finally:
        _local.deadline = previous


def time_left() -> float | None:
    when = getattr(_local, "deadline", None)
    return None if when is None else when - time.monotonic()


def deadline_passed() -> bool:
    left = time_left()
    return left is not None and left <= 0


def _bounded(timeout: float | None, error: type[Exception]) -> float | None:
    left = time_left()
    if left is None:
        return timeout
    if left <= 0:
        raise error("the fetch's deadline has passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A network stream whose every read, write and TLS handshake ends by the deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _bounded(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _bounded(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._inner.start_tls(
            ssl_context, server_hostname, _bounded(timeout, httpcore.ConnectTimeout)
        )
        return _DeadlineStream(stream)

    def get_extra_info(self, info: str) -> typing.Any:
        return self._inner.get_extra_info(info)


class GuardedBackend(httpcore.NetworkBackend):
    """Resolve once, check every address with the policy, connect to a checked address."""

    def __init__(self, policy: UrlPolicy) -> None:
        self.policy = policy
        self._inner = SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[typing.Any] | None = None,
    ) -> httpcore.NetworkStream:
        _bounded(timeout, httpcore.ConnectTimeout)
        addresses = resolve(host, port)
        for address in addresses:  # every answer must pass: a mixed answer is an attack
            self.policy.check_address(host, port, ipaddress.ip_address(address))
        error: Exception | None = None
        for address in addresses:
            try:
                stream = self._inner.connect_tcp(
                    address,
                    port,
                    _bounded(timeout, httpcore.ConnectTimeout),
                    local_address,
                    socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
                continue
            return _DeadlineStream(stream)
        assert error is not None
        raise error

    def connect_unix_socket(self, path: str, timeout=None, socket_options=None):
        raise httpcore.ConnectError("unix sockets are never used by the fetcher")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


#: getaddrinfo cannot be interrupted: under a deadline it runs here and is waited for only
#: until the deadline (a resolver that hangs then finishes on its own, bounded by resolv.conf).
_RESOLVERS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="newsetl-resolve")


def resolve(host: str, port: int) -> list[str]:
    """The addresses of ``host`` (one DNS resolution, within the deadline), duplicates removed."""
    name = host.strip("[]")
    try:
        if time_left() is None or literal_host(name):
            infos = socket.getaddrinfo(name, port, type=socket.SOCK_STREAM)
        else:
            future = _RESOLVERS.submit(socket.getaddrinfo, name, port, type=socket.SOCK_STREAM)
            try:
                infos = future.result(timeout=_bounded(None, httpcore.ConnectTimeout))
            except FutureTimeout:
                future.cancel()
                raise httpcore.ConnectTimeout(f"resolving {host} outlasted the deadline") from None
    except (socket.gaierror, UnicodeError) as exc:
        raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from None
    addresses: list[str] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        address = str(sockaddr[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise httpcore.ConnectError(f"{host} resolves to no address")
    return addresses


def literal_host(host: str) -> bool:
    """A host written as an address needs no DNS (getaddrinfo answers at once)."""
    return literal_address(host) is not None


def guarded_transport(policy: UrlPolicy, limits: httpx.Limits | None = None) -> httpx.HTTPTransport:
    """An httpx transport whose connections go through :class:`GuardedBackend`.

    httpx does not take a network backend as a parameter, so the transport's connection pool
    is replaced by one built with ours (httpx's SSL context, which honours SSL_CERT_FILE and
    SSL_CERT_DIR, and its limits). Environment proxies (HTTP_PROXY, ...) are not used: through
    a proxy the address checks could not hold.
    """
    limits = limits or httpx.Limits(max_connections=100, max_keepalive_connections=20)
    ssl_context = httpx.create_ssl_context(trust_env=True)
    transport = httpx.HTTPTransport(verify=ssl_context, limits=limits, trust_env=False)
    transport._pool = httpcore.ConnectionPool(
        ssl_context=ssl_context,
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        http1=True,
        http2=False,
        network_backend=GuardedBackend(policy),
    )
    return transport
