"""`footcoach triage` in a real pseudo-terminal: a new runner types the whole session (one wrong answer,
one `?`) and ends with a plan; Ctrl-C stops it with nothing written."""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import sys
import time
from pathlib import Path

import pytest

from footcoach.knowledge.base import default_knowledge
from footcoach.service import assess, load_state

SHIPPED = default_knowledge().state_bounds  # what the shipped knowledge allows

pty = pytest.importorskip("pty")
pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork and a pseudo-terminal")

# A hang guard, not a speed check: the longest wait is a cold start or an assessment, seconds on a busy machine.
TIMEOUT_S = 60
ABORT_GRACE_S = 5  # not clinical: seconds for a hung program to print its stack after SIGABRT
CTRL_C_AGAIN_S = 5  # not clinical: seconds before a person presses Ctrl-C again


def _command() -> list[str]:
    script = Path(sys.executable).with_name("footcoach")
    if script.is_file():
        return [str(script)]
    found = shutil.which("footcoach")
    return [found] if found else [sys.executable, "-m", "footcoach.cli"]


class Terminal:
    """A program running on the slave side of a pseudo-terminal, driven from the master side.

    The program starts with Ctrl-C (SIGINT) as a runner's shell gives it (``sigint``: default, not
    blocked), whatever the test run inherited: pytest started with ``&`` by a shell without job control
    runs with SIGINT ignored, and an ignored signal stays ignored across exec."""

    def __init__(self, args: list[str], cwd: Path, sigint: signal.Handlers = signal.SIG_DFL):
        argv = _command() + args
        # PYTHONFAULTHANDLER: a program that hangs shows where it waits when finish() aborts it
        env = {**os.environ, "TERM": "dumb", "NO_COLOR": "1", "PYTHONFAULTHANDLER": "1"}
        pid, fd = pty.fork()
        if pid == 0:  # the child: the pty is its controlling terminal, stdin, stdout and stderr
            try:
                signal.signal(signal.SIGINT, sigint)
                signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
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

    def ctrl_c(self) -> None:
        """Press Ctrl-C, and once more when the program still waits a few seconds later, as a person
        would. CPython runs a signal's handler between bytecodes: a SIGINT that arrives after the
        last check and before the blocking read starts waits for the read to return (a race of
        microseconds, seen once in a full run on a loaded machine). A program that ignores Ctrl-C
        ignores the second one too, so what these tests check is unchanged."""
        os.write(self.fd, b"\x03")
        deadline = time.monotonic() + CTRL_C_AGAIN_S
        while time.monotonic() < deadline:
            self._read(0.2)
            if os.waitid(os.P_PID, self.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
                return  # it ended (finish() collects it)
        os.write(self.fd, b"\x03")

    def finish(self) -> int:
        """Read until the program ends; return its exit code.  A program still waiting is aborted (its
        Python stack shows on the screen, so a failure says where it hung), then killed."""
        deadline = time.monotonic() + TIMEOUT_S
        status = None
        while status is None and time.monotonic() < deadline:
            if not self._read(0.2):  # the terminal closed: the program ended
                status = os.waitpid(self.pid, 0)[1]
            else:
                pid, ended = os.waitpid(self.pid, os.WNOHANG)
                status = ended if pid else None
        if status is None:
            status = self._abort_showing_where_it_waits()
        while self._read(0.2) and select.select([self.fd], [], [], 0)[0]:
            pass
        os.close(self.fd)
        self.status = os.waitstatus_to_exitcode(status)
        return self.status

    def _abort_showing_where_it_waits(self) -> int:
        """SIGABRT (faulthandler prints the Python stack), SIGKILL if it still runs; its wait status."""
        os.kill(self.pid, signal.SIGABRT)
        deadline = time.monotonic() + ABORT_GRACE_S
        while time.monotonic() < deadline:
            self._read(0.2)
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                break
        else:
            os.kill(self.pid, signal.SIGKILL)
            _, status = os.waitpid(self.pid, 0)
        return status

    def screen_since(self, needle: str) -> str:
        """What the terminal showed after the last ``needle``."""
        return self.text[self.text.rindex(needle) + len(needle) :]


def test_a_new_runner_types_a_whole_session_and_ends_with_a_plan(tmp_path):
    term = Terminal(["triage"], tmp_path)
    term.expect("First, some questions")
    for _ in SHIPPED.red_flags:
        term.answer("no")
    term.expect("Are you just starting this routine")
    term.answer("yes")
    term.expect("How old are you")
    term.answer("thirty-five")  # a wrong answer: asked again with what is allowed
    term.expect(f"Please answer a whole number from {SHIPPED.age_min} to {SHIPPED.age_max}.")
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
    term.expect("-- Your answers --")
    term.answer("")  # the review: Enter to see the result
    assert term.finish() == 0, term.text
    screen = term.text
    assert "How many full weeks have you trained in this phase" not in screen  # not asked of a new runner
    assert "Decision: stay in phase 1 (Foundation) this week." in screen
    tail = screen[screen.rindex("This week's plan: phase 1, Foundation") :]
    assert "Heel-raise dosing" in tail and "Mobility finisher" in tail
    # the plan follows the summary; the session ends with the disclaimer and the decision again
    assert "Decision support" in tail
    assert screen.rstrip().endswith("Decision: stay in phase 1 (Foundation) this week.")


@pytest.mark.parametrize(
    "sigint",
    [signal.SIG_DFL, signal.SIG_IGN],
    ids=["as-a-shell-starts-it", "even-when-started-with-ctrl-c-ignored"],
)
def test_ctrl_c_in_the_terminal_stops_and_writes_nothing(tmp_path, sigint):
    """Started with SIGINT ignored (``&`` in a script passes it on so), the session still promises
    "Ctrl-C stops at any time": before the fix it waited for an answer until killed."""
    term = Terminal(["triage", "--save-response", "response.json"], tmp_path, sigint=sigint)
    term.answer("no")
    term.answer("no")
    term.expect("] > ")
    term.ctrl_c()
    assert term.finish() == 130, term.text
    assert "Stopped: nothing was saved." in term.text
    assert "Traceback" not in term.text
    assert list(tmp_path.iterdir()) == []


NEW_RUNNER_REST = ["35", "female", "occasional", "2", "1", "1", "yes", "no", "30", "28", "10", "9", "14", "12"]
NEW_RUNNER_END = ["", "0", "20", "18", "10", "12"]  # hop pain skipped, no shoes, running


def _to_about_you(term: Terminal) -> None:
    term.expect("First, some questions")
    for _ in SHIPPED.red_flags:
        term.answer("no")
    term.expect("Are you just starting this routine")
    term.answer("yes")


def _review_number(screen: str, text: str) -> str:
    """The number the review shows before a question's text."""
    import re

    match = re.search(r"(\d+)\. " + re.escape(text[:30]), screen)
    assert match, screen[-3000:]
    return match.group(1)


def test_back_goes_to_the_previous_question_and_shows_the_answer_given(tmp_path):
    term = Terminal(["triage", "--save-response", "response.json"], tmp_path)
    _to_about_you(term)
    term.answer("35")
    term.expect("What is your sex?")
    term.answer("back")  # from the second question of a page to the first
    term.expect("How old are you")
    term.expect("Enter keeps 35")
    term.answer("back")  # from the first question of a page to the page before
    term.expect("Are you just starting this routine")
    term.expect("Enter keeps yes")
    term.answer("")
    term.expect("How old are you")
    term.answer("36")
    for line in NEW_RUNNER_REST[1:] + NEW_RUNNER_END:
        term.answer(line)
    term.expect("-- Your answers --")
    term.answer("")
    assert term.finish() == 0, term.text
    response = json.loads((tmp_path / "response.json").read_text())
    ages = [i["answer"][0]["valueInteger"] for i in response["item"] if i["linkId"] == "runner_age"]
    assert ages == [36]


def test_the_review_changes_an_answer_and_the_decision_follows(tmp_path):
    term = Terminal(["triage", "--format", "json"], tmp_path)
    _to_about_you(term)
    for line in NEW_RUNNER_REST + NEW_RUNNER_END:
        term.answer(line)
    term.expect("-- Your answers --")
    term.expect("change that answer; back] > ")
    number = _review_number(term.text, "In the last 7 days, how bad was your foot or heel pain")
    os.write(term.fd, number.encode() + b"\r")
    term.expect("Enter keeps 2")
    term.answer(str(SHIPPED.nrs_max))  # worst pain during exercise
    term.expect("-- Your answers --")
    term.answer("")
    assert term.finish() == 0, term.text
    decided = json.loads(term.text[term.text.index("{") :])
    state = {
        "runner": {"age": 35, "sex": "female", "experience": "occasional"},
        "program": {"phase": 1, "weeks_in_phase": 0, "weeks_in_program": 0},
        "pain": {"during": SHIPPED.nrs_max, "after": 1, "morning": 1, "settled_next_morning": True, "sharp": False},
        "tests": {
            "balance_eyes_open_s": {"left": 30, "right": 28},
            "balance_eyes_closed_s": {"left": 10, "right": 9},
            "heel_raises": {"left": 14, "right": 12},
        },
        "running": {"weekly_km": 20, "previous_weekly_km": 18, "longest_run_km_30d": 10, "planned_long_run_km": 12},
    }
    assert decided == assess(load_state(state))
    assert decided["action"] != "hold"  # the answer before the change held


def test_a_bad_answer_is_asked_again_at_once_listing_what_is_allowed(tmp_path):
    term = Terminal(["triage"], tmp_path)
    _to_about_you(term)
    term.answer("35")
    term.answer("female")
    term.answer("occasional")
    term.answer("45")  # a 0-10 pain of 45
    term.expect(f"Please answer a whole number from 0 to {SHIPPED.nrs_max}.")
    term.answer("about 2")  # asked again at once: the same question, its prompt
    term.expect("HOURS AFTER")
    between = term.text[term.text.index("> 45") : term.text.index("HOURS AFTER")]
    assert "'45' is out of range" in between and between.count("] > ") == 1  # no other question between
    term.ctrl_c()
    assert term.finish() == 130


def test_a_red_flag_stop_shows_only_the_stop_message(tmp_path):
    term = Terminal(["triage"], tmp_path)
    term.expect("First, some questions")
    term.answer("no")
    term.answer("yes")  # pain at night
    assert term.finish() == 0, term.text
    after = term.screen_since("] > yes")
    assert after.strip().startswith("Please stop here.")
    flat = " ".join(after.split())
    assert "Please see your GP or a sports medicine doctor, within a few days." in flat
    assert "Until then: stop running and the loaded exercises until you have been seen." in flat
    for internal in ("Action", "REFER", "phase", "plan:", "runner.age", "norm", "filled in", "note:"):
        assert internal not in after, internal


def test_interactive_diary_add_re_asks_a_bad_answer_at_once_and_keeps_every_answer(tmp_path):
    import subprocess

    db = str(tmp_path / "clinic.db")
    for args in (["runner", "add", "r1", "--age", "40"], ["diary", "add", "r1", "--week", "1", "--no-input"]):
        done = subprocess.run([*_command(), "--db", db, *args], capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
    term = Terminal(["--db", db, "diary", "add", "r1", "--week", "1"], tmp_path)  # week 1 is taken
    term.expect("first-steps morning pain")
    os.write(term.fd, b"45\r")  # a 0-10 pain of 45: asked again at once, not after the last question
    term.expect(f"Please answer a whole number from 0 to {SHIPPED.nrs_max}.")
    for line in ["3", "", "", "30", "28", "15", "14", "6"]:
        term.expect("] > ")
        os.write(term.fd, line.encode() + b"\r")
    assert term.finish() == 2, term.text
    flat = " ".join(term.text.split())
    assert "--pain-morning 3 --balance-eyes-open-left 30 --balance-eyes-open-right 28" in flat
    assert "--heel-raises-left 15 --heel-raises-right 14 --foot-fatigue 6" in flat
    assert "Traceback" not in term.text


def _prepared_db(tmp_path: Path) -> str:
    import subprocess

    db = str(tmp_path / "clinic.db")
    done = subprocess.run(
        [*_command(), "--db", db, "runner", "add", "r1", "--age", "40"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return db


def _diary_weeks(db: str) -> list:
    import subprocess

    done = subprocess.run(
        [*_command(), "--db", db, "diary", "list", "r1", "--format", "json"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_ctrl_c_at_a_diary_add_prompt_stops_like_triage_exit_130_nothing_saved(tmp_path):
    db = _prepared_db(tmp_path)
    term = Terminal(["--db", db, "diary", "add", "r1", "--week", "1"], tmp_path)
    term.answer("3")  # morning pain given, then Ctrl-C at the next question
    term.expect("] > ")
    term.ctrl_c()
    assert term.finish() == 130, term.text
    assert "Stopped: nothing was saved." in term.text
    assert "Aborted!" not in term.text and "Traceback" not in term.text
    assert _diary_weeks(db) == []


def test_ctrl_c_at_the_user_add_password_prompt_stops_like_triage_exit_130(tmp_path):
    db = str(tmp_path / "clinic.db")
    term = Terminal(["--db", db, "user", "add", "pt@example.org"], tmp_path)
    term.expect("Password: ")
    term.ctrl_c()
    assert term.finish() == 130, term.text
    assert "Stopped: nothing was saved." in term.text
    assert "Aborted!" not in term.text and "Traceback" not in term.text


def test_the_input_ending_at_a_diary_add_prompt_is_exit_2_nothing_saved(tmp_path):
    db = _prepared_db(tmp_path)
    term = Terminal(["--db", db, "diary", "add", "r1", "--week", "1"], tmp_path)
    term.expect("] > ")
    os.write(term.fd, b"\x04")  # Ctrl-D at an empty line: the end of the input
    assert term.finish() == 2, term.text
    assert "The input ended before every answer was given: nothing was saved." in term.text
    assert "Aborted!" not in term.text and "Traceback" not in term.text
    assert _diary_weeks(db) == []
