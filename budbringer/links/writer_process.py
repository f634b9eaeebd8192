"""The click writer process: one process stores the clicks of every web worker.

`budbringer serve` starts it beside granian's workers (`WriterSupervisor`) and restarts it
if it dies. Each worker keeps one Unix socket connection to it (`WriterClient`): the
clicks of a redirect burst go as one frame, the writer commits everything it has read
(from all workers) in one transaction, then acknowledges each frame; only then do the
workers send their 302s. So every redirect answered has its row, whoever is killed when.

Why a process and not a thread in each worker: a writer thread shares its worker's GIL
with the event loop and granian's runtime thread, and the three then queue for it (a
worker wrote half the redirects per second it could answer without writing). One writer
also means one SQLite writer: several took turns on the database's write lock.

Wire format, both ways on the stream: a frame is ``!IQ`` (payload length, sequence) and a
JSON list of rows (ClickRow's fields, the time as ISO 8601); an acknowledgement is ``!QI``
(sequence, n) and n bytes, one per row, 1 if it is stored; n = 0 means all are.
"""

import asyncio
import datetime as dt
import json
import logging
import os
import selectors
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import weakref

from django.db import close_old_connections, connection

from budbringer.links.clickstore import ClickRow, store_clicks

logger = logging.getLogger(__name__)

# `budbringer serve` gives its workers the writer's socket in this environment variable.
SOCKET_VARIABLE = "BUDBRINGER_CLICK_WRITER_SOCKET"

_FRAME = struct.Struct("!IQ")
_ACK = struct.Struct("!QI")
# A frame is at most this long: a worker sends what one turn of its event loop gathered.
MAX_FRAME_BYTES = 16 * 1024 * 1024
# The writer checks its database connection (CONN_MAX_AGE, health) and its parent this often.
CHECK_SECONDS = 1.0
# How long `budbringer serve` waits for a new writer to answer.
START_TIMEOUT_SECONDS = 60.0


# The writer process


def run(path: str, *, stop: threading.Event | None = None, parent: int | None = None) -> None:
    """Store the clicks sent to the Unix socket at `path` until `stop` is set, or until the
    parent process `parent` is gone (a `kill -9` of `budbringer serve` leaves no writer)."""
    stop = stop or threading.Event()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    if os.path.exists(path):
        os.unlink(path)  # left by a writer that was killed
    listener.bind(path)
    os.chmod(path, 0o600)
    listener.listen(128)
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)
    buffers: dict[socket.socket, bytearray] = {}
    next_check = 0.0
    try:
        while not stop.is_set():
            if time.monotonic() >= next_check:
                if parent is not None and os.getppid() != parent:
                    logger.warning("budbringer serve is gone: the click writer stops")
                    break
                close_old_connections()
                next_check = time.monotonic() + CHECK_SECONDS
            frames = []
            for key, _ in selector.select(timeout=CHECK_SECONDS):
                if key.fileobj is listener:
                    peer, _ = listener.accept()
                    peer.setblocking(False)  # no poll() before each call: select said so
                    selector.register(peer, selectors.EVENT_READ)
                    buffers[peer] = bytearray()
                    continue
                peer = key.fileobj
                try:
                    try:
                        data = peer.recv(1024 * 1024)
                    except BlockingIOError:
                        continue
                    if not data:
                        raise ConnectionResetError("closed by the worker")
                    buffers[peer] += data
                    frames += _read_frames(peer, buffers[peer])
                except (OSError, ValueError) as error:
                    if not isinstance(error, ConnectionResetError):
                        logger.error("a worker's connection failed or sent garbage: %s", error)
                    _drop(selector, buffers, peer)
            if frames:
                _store(frames, selector, buffers)
    finally:
        for peer in list(buffers):
            _drop(selector, buffers, peer)
        selector.close()
        listener.close()
        connection.close()


def _read_frames(peer, buffer: bytearray) -> list[tuple]:
    """The complete frames at the start of `buffer`, taken out of it."""
    frames = []
    while len(buffer) >= _FRAME.size:
        length, sequence = _FRAME.unpack_from(buffer)
        if length > MAX_FRAME_BYTES:
            raise ValueError(f"a frame of {length} bytes")
        end = _FRAME.size + length
        if len(buffer) < end:
            break
        rows = [
            ClickRow(row[0], row[1], dt.datetime.fromisoformat(row[2]), *row[3:])
            for row in json.loads(buffer[_FRAME.size : end])
        ]
        del buffer[:end]
        frames.append((peer, sequence, rows))
    return frames


def _store(frames: list[tuple], selector, buffers) -> None:
    """Commit the rows of all frames at once, then acknowledge each frame to its worker."""
    stored = store_clicks([row for _, _, rows in frames for row in rows])
    acks: dict[socket.socket, bytearray] = {}
    start = 0
    for peer, sequence, rows in frames:
        flags = stored[start : start + len(rows)]
        start += len(rows)
        ack = acks.setdefault(peer, bytearray())
        if all(flags):
            ack += _ACK.pack(sequence, 0)
        else:
            ack += _ACK.pack(sequence, len(flags)) + bytes(flags)
    for peer, ack in acks.items():
        try:
            # A few bytes per frame: a worker's socket buffer holds them unless it has
            # stopped reading, and then it is dropped (its requests time out with 503).
            if peer.send(ack) < len(ack):
                raise BlockingIOError("the worker does not read its acknowledgements")
        except OSError as error:  # the worker is gone; its requests were answered 503
            logger.error("acknowledging clicks to a worker failed: %s", error)
            _drop(selector, buffers, peer)


def _drop(selector, buffers, peer) -> None:
    if buffers.pop(peer, None) is not None:
        selector.unregister(peer)
        peer.close()


def run_command(path: str) -> None:
    """`budbringer clickwriter`: stop on SIGTERM; a terminal's Ctrl-C is for `serve`,
    which stops the workers first and this process after them."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    run(path, stop=stop, parent=os.getppid())


# The web worker's side


class _Batch:
    __slots__ = ("expiry", "future", "rows")

    def __init__(self, future: asyncio.Future):
        self.future = future
        self.rows: list[ClickRow] = []
        self.expiry: asyncio.TimerHandle | None = None


def _iso(value: dt.datetime) -> str:
    return value.isoformat()


class _Connection(asyncio.Protocol):
    """One worker's connection: the rows of one turn of the event loop go as one frame."""

    def __init__(self, loop: asyncio.AbstractEventLoop, timeout: float):
        self.loop = loop
        self.timeout = timeout
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.current: _Batch | None = None
        self.waiting: dict[int, _Batch] = {}
        self.sequence = 0
        self.buffer = bytearray()

    def add(self, row: ClickRow) -> tuple[_Batch, int]:
        batch = self.current
        if batch is None:
            batch = self.current = _Batch(self.loop.create_future())
            self.loop.call_soon(self.send)
        batch.rows.append(row)
        return batch, len(batch.rows) - 1

    def send(self) -> None:
        batch, self.current = self.current, None
        if self.closed:
            _settle(batch, False)
            return
        self.sequence += 1
        self.waiting[self.sequence] = batch
        payload = json.dumps(batch.rows, default=_iso, separators=(",", ":")).encode()
        self.transport.write(_FRAME.pack(len(payload), self.sequence) + payload)
        batch.expiry = self.loop.call_later(self.timeout, self.expire, self.sequence)

    def connection_made(self, transport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer
        buffer += data
        while len(buffer) >= _ACK.size:
            sequence, count = _ACK.unpack_from(buffer)
            end = _ACK.size + count
            if len(buffer) < end:
                break
            flags = bytes(buffer[_ACK.size : end])
            del buffer[:end]
            batch = self.waiting.pop(sequence, None)
            if batch is not None:
                batch.expiry.cancel()
                _settle(batch, flags or True)

    def connection_lost(self, exc) -> None:
        self.closed = True
        if self.waiting:
            logger.error("the click writer went away; %d batches answered 503", len(self.waiting))
        for batch in self.waiting.values():
            batch.expiry.cancel()
            _settle(batch, False)
        self.waiting.clear()

    def expire(self, sequence: int) -> None:
        batch = self.waiting.pop(sequence, None)
        if batch is not None:
            logger.error("clicks not stored within %.0f s", self.timeout)
            _settle(batch, False)


def _settle(batch: _Batch, outcome: bool | bytes) -> None:
    if not batch.future.done():
        batch.future.set_result(outcome)


class WriterClient:
    """A web worker's way to the writer process: `await store_async(row)` is True once
    the row is committed, False if it is not (or not within `timeout`: then it may still
    be, a click without its redirect, never a redirect without its click)."""

    def __init__(self, path: str, timeout: float = 20.0):
        self.path = path
        self.timeout = timeout
        self._connections: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self._locks: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    async def store_async(self, row: ClickRow) -> bool:
        loop = asyncio.get_running_loop()
        link = self._connections.get(loop)
        if link is None or link.closed:
            try:
                link = await self._connect(loop)
            except OSError as error:
                logger.error("the click writer does not answer: %s", error)
                return False
        batch, index = link.add(row)
        outcome = await batch.future
        return outcome is True or bool(outcome and outcome[index])

    async def _connect(self, loop) -> _Connection:
        lock = self._locks.get(loop)
        if lock is None:
            lock = self._locks[loop] = asyncio.Lock()
        async with lock:  # the requests arriving meanwhile share one new connection
            link = self._connections.get(loop)
            if link is None or link.closed:
                _, link = await loop.create_unix_connection(
                    lambda: _Connection(loop, self.timeout), self.path
                )
                self._connections[loop] = link
            return link


# `budbringer serve`'s side


class WriterSupervisor:
    """Starts `budbringer clickwriter` on a private socket, restarts it if it dies, and
    stops it (after the web workers) with `stop()`."""

    def __init__(self):
        self.folder = tempfile.mkdtemp(prefix="budbringer-")  # mode 0700: ours alone
        self.path = os.path.join(self.folder, "clicks.sock")
        self._process: subprocess.Popen | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()

    def start(self) -> None:
        self._spawn()
        threading.Thread(target=self._watch, name="click-writer-watch", daemon=True).start()

    def _spawn(self) -> None:
        with self._lock:
            if self._stopping.is_set():
                return
            # Our own interpreter and command, the socket path ours: no outside input.
            self._process = subprocess.Popen(  # noqa: S603
                [sys.executable, "-m", "budbringer", "clickwriter", "--socket", self.path]
            )
            process = self._process
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
                    probe.connect(self.path)
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"the click writer did not start (exit code {process.poll()})")

    def _watch(self) -> None:
        while not self._stopping.is_set():
            code = self._process.wait()
            if self._stopping.is_set():
                return
            logger.error("the click writer exited (%s); starting a new one", code)
            time.sleep(1)
            try:
                self._spawn()
            except RuntimeError:
                logger.exception("restarting the click writer failed")

    def stop(self) -> None:
        self._stopping.set()
        with self._lock:
            process = self._process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(self.folder, ignore_errors=True)
