"""lib/wsgi_bridge.py: a WSGI application behind RSGI, as `budbringer serve` runs Django."""

import threading

import pytest

from budbringer.lib.wsgi_bridge import BLOCK_SIZE, WSGIBridge
from tests.rsgi import call


@pytest.fixture
def bridge():
    def make(app):
        made.append(WSGIBridge(app, threads=2))
        return made[-1]

    made: list[WSGIBridge] = []
    yield make
    for one in made:
        one.executor.shutdown()


def test_the_environ_is_what_a_wsgi_server_gives(bridge):
    seen = {}

    def app(environ, start_response):
        seen.update(environ, body=environ["wsgi.input"].read())
        start_response("201 Created", [("X-Answer", "yes")])
        return [b"made"]

    answer = call(
        bridge(app),
        "/sök/a b",
        "POST",
        body=b"name=x",
        query="q=%20z&y",
        headers=[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Content-Length", "6"),
            ("Cookie", "a=1"),
            ("Cookie", "b=2"),
            ("Accept", "text/html"),
            ("Accept", "*/*"),
            ("User-Agent", "Tester"),
        ],
        client="198.51.100.7:40000",
    )
    assert (answer.status, answer.headers, answer.content) == (201, {"X-Answer": "yes"}, b"made")
    assert seen["REQUEST_METHOD"] == "POST"
    assert seen["PATH_INFO"] == "/sök/a b".encode().decode("latin-1")  # PEP 3333
    assert (seen["SCRIPT_NAME"], seen["QUERY_STRING"]) == ("", "q=%20z&y")
    assert (seen["CONTENT_TYPE"], seen["CONTENT_LENGTH"]) == (
        "application/x-www-form-urlencoded",
        "6",
    )
    assert "HTTP_CONTENT_TYPE" not in seen
    assert seen["HTTP_COOKIE"] == "a=1; b=2"
    assert seen["HTTP_ACCEPT"] == "text/html,*/*"
    assert seen["HTTP_USER_AGENT"] == "Tester"
    assert (seen["REMOTE_ADDR"], seen["SERVER_NAME"], seen["SERVER_PORT"]) == (
        "198.51.100.7",
        "127.0.0.1",
        "8000",
    )
    assert (seen["wsgi.url_scheme"], seen["SERVER_PROTOCOL"]) == ("http", "HTTP/1.1")
    assert seen["body"] == b"name=x"


def test_an_ipv6_client_loses_its_brackets(bridge):
    seen = {}

    def app(environ, start_response):
        seen["ip"] = environ["REMOTE_ADDR"]
        start_response("204 No Content", [])
        return []

    assert call(bridge(app), "/", client="[2001:db8::1]:40000").status == 204
    assert seen["ip"] == "2001:db8::1"


def test_a_short_body_is_sent_in_one_piece_and_closed_in_its_thread(bridge):
    closed = []

    class Body(list):
        def close(self):
            closed.append(threading.current_thread().name)

    def app(environ, start_response):
        write = start_response("200 OK", [("Content-Type", "text/plain")])
        write(b"written, ")  # the legacy write() callable comes first
        return Body([b"then ", b"returned"])

    answer = call(bridge(app), "/")
    assert answer.content == b"written, then returned"
    assert answer.blocks == []  # not streamed
    assert closed and closed[0].startswith("wsgi")


def test_a_long_body_is_streamed_in_blocks_from_one_thread(bridge):
    threads = set()
    chunk = b"0123456789abcdef" * 1024  # 16 KiB

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "application/octet-stream")])
        for _ in range(40):  # 640 KiB: more than two blocks
            threads.add(threading.current_thread().name)
            yield chunk

    answer = call(bridge(app), "/export.csv")
    assert answer.status == 200
    assert answer.content == chunk * 40
    assert len(answer.blocks) == 3
    assert all(len(block) >= BLOCK_SIZE for block in answer.blocks[:-1])
    assert len(threads) == 1  # a streaming generator keeps its thread (and connection)


def test_an_error_before_the_answer_is_raised_to_the_server(bridge):
    def app(environ, start_response):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        call(bridge(app), "/")
