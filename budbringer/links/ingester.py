"""The click ingester: stores the click journal's lines in the database, each exactly once.

`budbringer serve` starts it beside granian's workers (`IngesterSupervisor`) and restarts
it if it dies; the workers append their clicks to journal files (links/journal.py) and
do not wait for it. Each pass reads the complete lines added to every file since the last
pass and stores them in one transaction, which also moves each file's offset
(`ClickJournalFile`): the clicks and the note of how far they go are committed together
or not at all, so a pass cut short by a crash is done again from the same place, and no
line is stored twice. The offset is moved only if it is still where this ingester read
it, so even two ingesters at once could not store a line twice; one at a time is the
rule anyway (a lock file in the folder: a second `serve` on the same folder waits).

A file whose lock the ingester can take is finished: its worker rotated it or is gone. Once
its last complete line is stored, the file is deleted, then its offset. A line that is
not complete in a finished file was cut by a crash inside `write` and never answered 302.

A click whose link was deleted between the redirect and the ingestion is dropped (the
link's clicks went with it). When the database fails, nothing moves, and the pass is
tried again a second later: the journal keeps the clicks meanwhile.
"""

import contextlib
import fcntl
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass

from django.db import IntegrityError, close_old_connections, connection, transaction

from budbringer.core.rows import insert_rows
from budbringer.links import journal
from budbringer.links.clickstore import ClickRow, database_values
from budbringer.links.events import clicks_recorded
from budbringer.links.models import Click, ClickJournalFile, TrackedLink

logger = logging.getLogger(__name__)

# A pass starts this long after the one before, so a click is stored within about this
# long, and a transaction under load stores many (its cost is mostly per transaction).
PASS_SECONDS = 0.025
# The ingester checks its database connection (CONN_MAX_AGE, health) and its parent this often.
CHECK_SECONDS = 1.0
# After a database error, the pass is tried again after this long.
RETRY_SECONDS = 1.0
# At most this much of each file is read in one pass, so one transaction stays bounded.
READ_BYTES = 2 * 1024 * 1024
LOCK_NAME = "ingester.lock"


@dataclass(slots=True)
class _File:
    name: str
    fd: int
    offset: int  # what is stored, as committed
    finished: bool = False


@dataclass(slots=True)
class _Read:
    file: _File
    end: int  # the offset after this pass's complete lines
    rows: list[ClickRow]


class _Moved(Exception):
    """Another ingester moved a file's offset: this pass's reading of it is stale."""


class Ingester:
    """One folder's journal files, and how far each is stored."""

    def __init__(self, folder: str):
        self.folder = folder
        self.files: dict[str, _File] = {}

    def run_once(self) -> int:
        """One pass over the folder; how many clicks it stored."""
        reads = [read for file in self._scan() if (read := self._read(file))]
        stored = self._store(reads) if reads else 0
        for file in list(self.files.values()):
            if file.finished and not _has_lines(file):
                self._remove(file)
        return stored

    def all_stored(self) -> bool:
        return not any(_has_lines(file) for file in self.files.values())

    def close(self) -> None:
        for file in self.files.values():
            os.close(file.fd)
        self.files.clear()

    def _scan(self) -> list[_File]:
        try:
            entries = list(os.scandir(self.folder))
        except FileNotFoundError:
            return []
        present = set()
        for entry in entries:
            if entry.name.endswith(journal.PARTIAL_SUFFIX):
                _remove_abandoned(entry.path)
            elif entry.name.endswith(journal.SUFFIX):
                present.add(entry.name)
                if entry.name not in self.files:
                    self._open(entry.name)
        for name in self.files.keys() - present:  # deleted by someone else
            os.close(self.files.pop(name).fd)
        return sorted(self.files.values(), key=lambda file: file.name)

    def _open(self, name: str) -> None:
        try:
            fd = os.open(os.path.join(self.folder, name), os.O_RDONLY)
        except FileNotFoundError:
            return
        offset = ClickJournalFile.objects.get_or_create(name=name)[0].offset
        self.files[name] = _File(name, fd, offset)

    def _read(self, file: _File) -> _Read | None:
        if not file.finished:
            # Taken before the size is read: once it is ours, the file grows no more.
            file.finished = _try_lock(file.fd)
        size = os.fstat(file.fd).st_size
        if size <= file.offset:
            return None
        data = os.pread(file.fd, min(size - file.offset, READ_BYTES), file.offset)
        complete = data.rfind(b"\n") + 1
        if not complete:
            if len(data) == READ_BYTES:
                logger.error("a line of %d bytes in click journal %s", len(data), file.name)
                return _Read(file, file.offset + len(data), [])
            return None
        rows = journal.decode_lines(data[:complete], file.name)
        return _Read(file, file.offset + complete, rows)

    def _store(self, reads: list[_Read]) -> int:
        rows = [row for read in reads for row in read.rows]
        try:
            try:
                self._commit(reads, rows)
            except IntegrityError:
                kept = _with_existing_links(rows)
                if len(kept) == len(rows):
                    raise  # not about deleted links: nothing moves, the pass is tried again
                logger.warning("%d clicks of deleted links dropped", len(rows) - len(kept))
                rows = kept
                self._commit(reads, rows)
        except _Moved as moved:
            file = moved.args[0]
            logger.error("click journal %s was stored by another ingester", file.name)
            offset = ClickJournalFile.objects.filter(name=file.name).values_list("offset")
            if offset:
                file.offset = offset[0][0]
            else:  # finished and removed by it
                os.close(self.files.pop(file.name).fd)
            return 0
        for read in reads:
            read.file.offset = read.end
        if rows:
            clicks_recorded.send_robust(Click, clicks=rows)
        return len(rows)

    def _commit(self, reads: list[_Read], rows: list[ClickRow]) -> None:
        with transaction.atomic():
            for read in reads:
                moved = ClickJournalFile.objects.filter(
                    name=read.file.name, offset=read.file.offset
                ).update(offset=read.end)
                if not moved:
                    raise _Moved(read.file)
            insert_rows(Click, database_values(rows))

    def _remove(self, file: _File) -> None:
        """A finished file, all stored: the file goes first, then its offset (the other way
        round, a crash in between would store the file again from its start)."""
        rest = os.fstat(file.fd).st_size - file.offset
        if rest:
            logger.warning("%d bytes of a cut line at the end of %s dropped", rest, file.name)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(os.path.join(self.folder, file.name))
        os.close(file.fd)
        del self.files[file.name]
        ClickJournalFile.objects.filter(name=file.name).delete()


# Longer than any line `journal.encode` writes (its strings are bounded by Click's columns),
# so the first newline after an offset, if there is one, is within this many bytes.
LINE_BYTES = 64 * 1024


def _has_lines(file: _File) -> bool:
    """Whether complete lines of the file are not stored yet (a cut line is not one)."""
    size = os.fstat(file.fd).st_size
    if size <= file.offset:
        return False
    return b"\n" in os.pread(file.fd, min(size - file.offset, LINE_BYTES), file.offset)


# A worker creates its file, then locks it, then renames it, within microseconds; between
# the first two steps the file is unlocked, so only an older one is surely abandoned.
ABANDONED_AFTER = 60  # seconds


def _remove_abandoned(path: str) -> None:
    """A file a worker was killed before renaming: empty, and nobody's once unlocked and
    older than ABANDONED_AFTER (a fresh unlocked one is a worker about to lock it)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return
    try:
        if time.time() - os.fstat(fd).st_mtime > ABANDONED_AFTER and _try_lock(fd):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
    finally:
        os.close(fd)


def _with_existing_links(rows: list[ClickRow]) -> list[ClickRow]:
    """The rows whose link still exists; the others' links were deleted with their clicks."""
    ids = sorted({row.link_id for row in rows})
    existing = set()
    for start in range(0, len(ids), 900):  # SQLite's limit of parameters per statement
        chunk = ids[start : start + 900]
        existing.update(TrackedLink.objects.filter(id__in=chunk).values_list("id", flat=True))
    return [row for row in rows if row.link_id in existing]


def run(folder: str, *, stop: threading.Event | None = None, parent: int | None = None) -> None:
    """Store the clicks journaled in `folder` until `stop` is set (then what is left is
    stored first), or until the parent process `parent` is gone."""
    stop = stop or threading.Event()
    os.makedirs(folder, mode=0o700, exist_ok=True)
    lock = os.open(os.path.join(folder, LOCK_NAME), os.O_RDWR | os.O_CREAT, 0o600)
    ingester = Ingester(folder)

    def orphaned() -> bool:
        return parent is not None and os.getppid() != parent

    try:
        if orphaned():
            return  # started as serve ended
        while not _try_lock(lock):  # another ingester has this folder
            if stop.wait(CHECK_SECONDS) or orphaned():
                return
        next_check = 0.0
        while True:
            if time.monotonic() >= next_check:
                if orphaned():
                    logger.warning("budbringer serve is gone: the click ingester stops")
                    break
                close_old_connections()
                next_check = time.monotonic() + CHECK_SECONDS
            stopping = stop.is_set()
            started = time.monotonic()
            try:
                stored = ingester.run_once()
            except Exception:
                logger.exception("storing journaled clicks failed; trying again")
                _discard_connection()
                if stopping or stop.wait(RETRY_SECONDS):
                    break
                continue
            if stopping:
                if not stored and ingester.all_stored():
                    break  # all that the stopped workers wrote is stored
            else:
                stop.wait(max(0.0, started + PASS_SECONDS - time.monotonic()))
    finally:
        ingester.close()
        os.close(lock)
        connection.close()


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


def _discard_connection() -> None:
    try:
        if connection.connection is not None and not connection.is_usable():
            connection.close()
    except Exception:
        connection.close()


def run_command(folder: str, parent: int | None = None) -> None:
    """`budbringer ingestclicks`: stop on SIGTERM once what is journaled is stored, or
    when the process `parent` (serve, which names itself: it may be gone before this
    process has started) is no longer this one's parent."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    run(folder, stop=stop, parent=parent)


class IngesterSupervisor:
    """Starts `budbringer ingestclicks` on the journal folder, restarts it if it dies, and
    stops it (after the web workers) with `stop()`."""

    def __init__(self, folder: str):
        self.folder = folder
        self._process: subprocess.Popen | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()

    def start(self) -> None:
        self._spawn()
        threading.Thread(target=self._watch, name="click-ingester-watch", daemon=True).start()

    def _spawn(self) -> None:
        with self._lock:
            if not self._stopping.is_set():
                # Our own interpreter and command, the folder from our settings. A session
                # of its own: a signal to serve's process group (a terminal's Ctrl-C, a
                # `kill` of the group) stops the workers, and this process stops after
                # them, with what they wrote stored. It also stops when serve is gone.
                self._process = subprocess.Popen(  # noqa: S603
                    [
                        *(sys.executable, "-m", "budbringer", "ingestclicks"),
                        *("--journal", self.folder, "--parent", str(os.getpid())),
                    ],
                    start_new_session=True,
                )

    def _watch(self) -> None:
        while not self._stopping.is_set():
            code = self._process.wait()
            if self._stopping.is_set():
                return
            logger.error("the click ingester exited (%s); starting a new one", code)
            time.sleep(1)
            self._spawn()

    def stop(self, timeout: float = 30.0) -> None:
        self._stopping.set()
        with self._lock:
            process = self._process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                logger.error("the click ingester did not stop; the journal keeps the rest")
                process.kill()
