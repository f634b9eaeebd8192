"""A command run in a real pseudo-terminal (``pty.fork``): it is its controlling terminal,
so ``isatty()`` is true and ``getpass`` reads with echo off, as for a person at a keyboard.
The test types answers after the prompts it expects."""

import os
import pty
import re
import select
import sys
import time


class Terminal:
    def __init__(self, args: list[str], *, env: dict[str, str], cwd: str, timeout: float = 60):
        self.timeout = timeout
        self.output = ""
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: become the command
            os.chdir(cwd)
            os.execve(sys.executable, [sys.executable, *args], env)  # noqa: S606

    def _read(self, deadline: float) -> bool:
        ready, _, _ = select.select([self.fd], [], [], max(0, deadline - time.monotonic()))
        if not ready:
            return False
        try:
            chunk = os.read(self.fd, 4096)
        except OSError:  # the command ended and closed the terminal
            return False
        if not chunk:
            return False
        self.output += chunk.decode("utf-8", "replace").replace("\r\n", "\n")
        return True

    def expect(self, text: str) -> None:
        """Wait until ``text`` appears after what was already matched."""
        deadline = time.monotonic() + self.timeout
        while text not in self.output:
            if not self._read(deadline):
                raise AssertionError(f"never saw {text!r}; the terminal showed:\n{self.output}")
        self.output = self.output[self.output.index(text) + len(text) :]

    def type(self, line: str) -> None:
        os.write(self.fd, line.encode() + b"\r")

    def wait(self) -> tuple[int, str]:
        """The exit status and everything shown since the last match."""
        deadline = time.monotonic() + self.timeout
        while self._read(deadline):
            pass
        _, status = os.waitpid(self.pid, 0)
        os.close(self.fd)
        return os.waitstatus_to_exitcode(status), re.sub(r"\x1b\[[0-9;]*m", "", self.output)
