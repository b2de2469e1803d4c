"""The served socket: connections accepted from it are sent on without Nagle's delay."""

from __future__ import annotations

import asyncio
import socket

import pytest

from bitly_exports_contract.server.cli import listen


@pytest.mark.parametrize("host", [pytest.param("127.0.0.1", id="ipv4"), pytest.param("::1", id="ipv6")])
def test_accepted_connections_have_tcp_nodelay(host: str) -> None:
    # uvicorn serves the socket through asyncio, which sets TCP_NODELAY only on sockets that say TCP;
    # without it every response's body waits ~40 ms behind its headers for the client's delayed ACK.
    try:
        sock = listen(host, 0)
    except OSError:
        pytest.skip(f"no {host} on this machine")

    async def nodelay_of_accepted() -> int:
        accepted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        def on_connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            raw = writer.get_extra_info("socket")
            accepted.set_result(raw.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        server = await asyncio.start_server(on_connection, sock=sock)
        _, writer = await asyncio.open_connection(*sock.getsockname()[:2])
        value = await asyncio.wait_for(accepted, timeout=10)
        writer.close()
        server.close()
        await server.wait_closed()
        return value

    assert asyncio.run(nodelay_of_accepted()) != 0
