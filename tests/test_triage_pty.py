"""`footcoach triage` in a real pseudo-terminal: a new runner types the whole session (one wrong answer,
one `?`) and ends with a plan; Ctrl-C stops it with nothing written."""

from __future__ import annotations

import os
import select
import shutil
import sys
import time
from pathlib import Path

import pytest

from footcoach.contract import state as models

pty = pytest.importorskip("pty")
pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork and a pseudo-terminal")

TIMEOUT_S = 30


def _command() -> list[str]:
    script = Path(sys.executable).with_name("footcoach")
    if script.is_file():
        return [str(script)]
    found = shutil.which("footcoach")
    return [found] if found else [sys.executable, "-m", "footcoach.cli"]


class Terminal:
    """A program running on the slave side of a pseudo-terminal, driven from the master side."""

    def __init__(self, args: list[str], cwd: Path):
        argv = _command() + args
        env = {**os.environ, "TERM": "dumb", "NO_COLOR": "1"}
        pid, fd = pty.fork()
        if pid == 0:  # the child: the pty is its controlling terminal, stdin, stdout and stderr
            try:
                os.chdir(cwd)
                os.execvpe(argv[0], argv, env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        self.seen = b""
        self.pos = 0
        self.status: int | None = None

    def _read(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return True
        try:
            data = os.read(self.fd, 4096)
        except OSError:  # EIO: the child closed the terminal
            data = b""
        if not data:
            return False
        self.seen += data
        return True

    @property
    def text(self) -> str:
        return self.seen.decode("utf-8", "replace").replace("\r\n", "\n")

    def expect(self, needle: str) -> None:
        """Wait until ``needle`` appears after the last match."""
        deadline = time.monotonic() + TIMEOUT_S
        target = needle.encode()
        while target not in self.seen[self.pos :]:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or (not self._read(min(remaining, 1.0)) and target not in self.seen[self.pos :]):
                raise AssertionError(f"did not see {needle!r}; the terminal shows:\n{self.text[-3000:]}")
        self.pos = self.seen.index(target, self.pos) + len(target)

    def answer(self, line: str) -> None:
        """Wait for the prompt, then type ``line`` and Enter."""
        self.expect("] > ")
        os.write(self.fd, line.encode() + b"\r")

    def finish(self) -> int:
        """Read until the program ends; return its exit code."""
        deadline = time.monotonic() + TIMEOUT_S
        while time.monotonic() < deadline and self._read(1.0):
            pass
        _, status = os.waitpid(self.pid, 0)
        os.close(self.fd)
        self.status = os.waitstatus_to_exitcode(status)
        return self.status


def test_a_new_runner_types_a_whole_session_and_ends_with_a_plan(tmp_path):
    term = Terminal(["triage"], tmp_path)
    term.expect("First, some questions")
    for _ in models.RED_FLAG_IDS:
        term.answer("no")
    term.expect("Are you just starting this routine")
    term.answer("yes")
    term.expect("How old are you")
    term.answer("thirty-five")  # a wrong answer: asked again with what is allowed
    term.expect(f"Please answer a whole number from {models.AGE_MIN} to {models.AGE_MAX}.")
    term.answer("?")
    term.expect("Why we ask: The balance test is compared with what is normal for your age.")
    term.answer("35")
    for line in ["female", "occasional", "2", "1", "1", "yes", "no"]:
        term.answer(line)
    term.expect("The balance test")
    for line in ["30", "28", "10", "9"]:
        term.answer(line)
    term.expect("The heel-raise test")
    for line in ["14", "12", "", "0", "20", "18", "10", "12"]:
        term.answer(line)
    assert term.finish() == 0, term.text
    screen = term.text
    assert "How many full weeks have you trained in this phase" not in screen  # not asked of a new runner
    assert "Decision: stay in phase 1 (Foundation) this week." in screen
    tail = screen[screen.rindex("This week's plan: phase 1, Foundation") :]
    assert "Heel-raise dosing" in tail and "Mobility finisher" in tail
    # the plan follows the summary; the session ends with the disclaimer and the decision again
    assert "Decision support" in tail
    assert screen.rstrip().endswith("Decision: stay in phase 1 (Foundation) this week.")


def test_ctrl_c_in_the_terminal_stops_and_writes_nothing(tmp_path):
    term = Terminal(["triage", "--save-response", "response.json"], tmp_path)
    term.answer("no")
    term.answer("no")
    term.expect("] > ")
    os.write(term.fd, b"\x03")  # Ctrl-C
    assert term.finish() == 130, term.text
    assert "Stopped: nothing was saved." in term.text
    assert "Traceback" not in term.text
    assert list(tmp_path.iterdir()) == []
