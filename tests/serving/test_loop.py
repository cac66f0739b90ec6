"""The server's loop: it polls a connection for writing only when it has something to send.

waitress's own connection asks to be polled for writing whenever it holds output, even while
a worker thread is sending that output itself: the loop then goes round without doing anything
until the thread is done. phonetree's `Connection` asks only for output the thread left unsent.
"""

from __future__ import annotations

import http.client
import socket
import time

import pytest
import waitress
from waitress.parser import HTTPRequestParser

from phonetree_engine.server import Connection
from tests.engine.trees import large
from tests.servers import HOST, WebProcess


@pytest.fixture
def connection():
    """A Connection of a real (not listening) waitress server, on one end of a socket pair,
    serving a request; the other end is the client."""
    server = waitress.create_server(lambda environ, start: [], host=HOST, port=0, _start=False)
    ours, client = socket.socketpair()
    ours.setblocking(False)
    channel = Connection(server, ours, (HOST, 1), server.adj, map=server._map)
    request = HTTPRequestParser(server.adj)
    request.received(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    channel.requests = [request]
    yield channel, client
    client.close()
    channel.close()
    server.close()


def test_an_answer_the_thread_sent_whole_needs_no_polling(connection):
    channel, client = connection
    channel.write_soon(b"x" * 100)  # as a worker thread does
    assert client.recv(1000) == b"x" * 100
    assert not channel.writable()


def test_output_held_while_a_thread_serves_the_request_is_not_polled_for(connection):
    # What the loop sees while a thread is between adding output and sending it.
    channel, _ = connection
    with channel.outbuf_lock:
        channel.outbufs[-1].append(b"x" * 100)
        channel.total_outbufs_len += 100
        assert not channel.writable()


def test_output_the_thread_could_not_send_is_polled_for(connection):
    channel, _ = connection
    channel.write_soon(b"x" * 10_000_000)  # more than the socket takes: the client reads none
    assert channel.total_outbufs_len > 0
    assert channel.writable()


def test_output_left_after_the_request_is_polled_for(connection):
    channel, _ = connection
    with channel.outbuf_lock:
        channel.outbufs[-1].append(b"x" * 100)
        channel.total_outbufs_len += 100
    channel.requests = []
    assert channel.writable()


def test_a_closing_connection_is_polled_for(connection):
    channel, _ = connection
    channel.will_close = True
    assert channel.writable()


def test_an_answer_larger_than_the_buffers_reaches_a_slow_reader_whole():
    server = WebProcess(target="tests.engine.trees.large:app").start()
    try:
        server.wait_until_healthy()
        conn = http.client.HTTPConnection(HOST, server.port, timeout=15)
        conn.request("GET", "/")
        answer = conn.getresponse()
        received = 0
        while chunk := answer.read(256 * 1024):
            received += len(chunk)
            time.sleep(0.002)  # slower than loopback: the server waits on the client
        conn.close()
    finally:
        server.stop()
    assert (answer.status, received) == (200, large.SIZE)


def test_requests_sent_together_on_one_connection_are_answered_in_order():
    server = WebProcess(target="tests.engine.trees.lanes:plain").start()
    try:
        server.wait_until_healthy()
        with socket.create_connection((HOST, server.port), timeout=15) as sock:
            sock.sendall(b"GET /one HTTP/1.1\r\nHost: x\r\n\r\n" * 20)
            answers = b""
            while answers.count(b"HTTP/1.1 200 ") < 20 and (chunk := sock.recv(65536)):
                answers += chunk
    finally:
        server.stop()
    assert answers.count(b"HTTP/1.1 200 OK") == 20
