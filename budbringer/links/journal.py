"""The click journal: how a web worker of `budbringer serve` records a click before its 302.

Each worker appends its clicks to a file of its own in `CLICK_JOURNAL_DIR`, one line per
click, each line written with a single `write` call before the redirect is answered; the
ingester (links/ingester.py) stores the lines in the database and deletes each file once
it is done. A line in the file survives a `kill -9` of every process (it is in the
kernel's page cache, which SQLite's WAL with `synchronous=NORMAL` also relies on), so
every redirect answered has its click, and the request waits for no other process: the
redirect costs a few microseconds more than one that records nothing.

Why not the database at once: a commit per click, or a request waiting for a group
commit in another process, held the worker's event loop for longer than the rest of the
request (benchmarks/redirect_vs_nginx.py, docs/benchmarks.md).

A file is owned by its worker while the worker holds its `flock`: the ingester knows a
file is finished (rotated at `MAX_FILE_BYTES`, or its worker gone) when it can take the
lock. The file is locked under a temporary name and only then renamed into place, so the
ingester never sees a file that is not locked yet. A line is the JSON list of a
`ClickRow`'s fields with the time as ISO 8601, which has no raw newline in it; a line cut
short (a worker killed inside `write`, a full disk) has no newline and is never stored:
its request was not answered 302.
"""

import datetime as dt
import fcntl
import json
import logging
import os
import secrets
import socket
import threading
from json.encoder import encode_basestring_ascii as _quote

from budbringer.links.clickstore import ClickRow

logger = logging.getLogger(__name__)

# `budbringer serve` tells its workers the journal folder in this environment variable.
FOLDER_VARIABLE = "BUDBRINGER_CLICK_JOURNAL"
SUFFIX = ".clicks"
PARTIAL_SUFFIX = ".clicks-new"
# A worker starts a new file after this many bytes (about 80,000 clicks), so the ingester
# can delete what it has stored while the worker goes on.
MAX_FILE_BYTES = 16 * 1024 * 1024


def encode(row: ClickRow) -> bytes:
    """The row as one JSON line, built by hand: `json.dumps` cost twice as much, and the
    redirect waits for this. Strings go through json's own escaping, so a line has no
    raw newline whatever a header held."""
    return (
        f'[{row.organisation_id:d},{row.link_id:d},"{row.clicked_at.isoformat()}",'
        f"{_quote(row.network)},{_quote(row.referrer_host)},{_quote(row.user_agent_family)},"
        f"{_quote(row.kind)},{_quote(row.visitor_hash)}]\n"
    ).encode()


def decode(line: bytes) -> ClickRow:
    return _row(json.loads(line))


def decode_lines(data: bytes, source: str = "") -> list[ClickRow]:
    """The rows of complete lines (`data` ends with a newline). They are parsed as one
    JSON list, a quarter of the cost of a parse per line; if that fails, line by line,
    and a broken line is logged and left out (it cannot become a click)."""
    try:
        return [_row(fields) for fields in json.loads(b"[" + data[:-1].replace(b"\n", b",") + b"]")]
    except (ValueError, TypeError):
        pass
    rows = []
    for line in data.splitlines():
        try:
            rows.append(decode(line))
        except (ValueError, TypeError):
            logger.error("a broken line in click journal %s: %r", source, line[:200])
    return rows


def _row(fields: list) -> ClickRow:
    if not isinstance(fields, list) or len(fields) != len(ClickRow._fields):
        raise ValueError(f"not a click: {fields!r:.100}")
    clicked_at = dt.datetime.fromisoformat(fields[2])
    if clicked_at.tzinfo is None:
        raise ValueError("a click time without its time zone")
    return ClickRow(*fields[:2], clicked_at, *fields[3:])


def host_name() -> str:
    """This machine's name as it may appear in a file name."""
    name = socket.gethostname() or "host"
    return "".join(char if char.isalnum() or char in "-_" else "_" for char in name)[:64]


class ClickJournal:
    """A worker's journal file: `append(row)` is True once the click is in the file."""

    def __init__(self, folder: str, max_file_bytes: int = MAX_FILE_BYTES):
        self.folder = folder
        self.max_file_bytes = max_file_bytes
        self._fd = -1
        self._pid = 0
        self._size = 0
        self._lock = threading.Lock()  # the WSGI front calls from several threads

    def append(self, row: ClickRow) -> bool:
        line = encode(row)
        with self._lock:
            try:
                if self._fd < 0 or self._pid != os.getpid():
                    self._open()
                written = os.write(self._fd, line)
                self._size += written
                if written != len(line):
                    raise OSError(f"only {written} of {len(line)} bytes written")
            except OSError:
                logger.exception("writing a click to the journal in %s failed", self.folder)
                self._close()  # a cut line ends its file: the next click starts a new one
                return False
            if self._size >= self.max_file_bytes:
                self._close()
            return True

    async def store_async(self, row: ClickRow) -> bool:
        """`append` for the RSGI front: the write does not wait for anybody."""
        return self.append(row)

    def _open(self) -> None:
        if self._pid != os.getpid():
            self._fd = -1  # a forked process's copy: the file stays its parent's
        self._close()
        os.makedirs(self.folder, mode=0o700, exist_ok=True)
        name = f"clicks-{host_name()}-{os.getpid()}-{secrets.token_hex(6)}"
        partial = os.path.join(self.folder, name + PARTIAL_SUFFIX)
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            os.rename(partial, os.path.join(self.folder, name + SUFFIX))
        except OSError:
            os.close(fd)
            raise
        self._fd, self._pid, self._size = fd, os.getpid(), 0

    def _close(self) -> None:
        """Let the file go: closing it releases the lock, which tells the ingester."""
        if self._fd >= 0:
            fd, self._fd = self._fd, -1
            os.close(fd)

    def close(self) -> None:
        with self._lock:
            if self._pid == os.getpid():
                self._close()
