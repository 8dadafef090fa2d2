"""Interactive ``diary add``: ask only for what is missing, check each answer as it is typed.

The questions are the questionnaire's own (the diary week's fields, pain during and after), so a
terminal asks them in the same words and accepts the same forms (``about 3``, ``y``); what each
allows comes from the contract models.  A refused answer is asked again at once, listing what is
allowed; one leg without the other asks for the other.  When storing still fails, the problems
that name an answer ask it again and every other answer is kept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from footcoach.cli.triage_terminal import wrap
from footcoach.triage.answer_forms import AnswerProblem, parse_value
from footcoach.triage.loading import default_questionnaire
from footcoach.triage.plausible import heel_raise_warnings
from footcoach.triage.spec import Allowed, Questionnaire

# option parameter -> (question id, group field id or None): the words and the allowed answers
QUESTIONS: dict[str, tuple[str, str | None]] = {
    "pain_morning": ("diary", "pain_morning"),
    "pain_during": ("pain_during", None),
    "pain_after": ("pain_after", None),
    "balance_eyes_open_left": ("diary", "balance_eyes_open_left"),
    "balance_eyes_open_right": ("diary", "balance_eyes_open_right"),
    "heel_raises_left": ("diary", "heel_raises_left"),
    "heel_raises_right": ("diary", "heel_raises_right"),
    "foot_fatigue": ("diary", "foot_fatigue"),
}
PAIRS = {"balance_eyes_open_right": "balance_eyes_open_left", "heel_raises_right": "heel_raises_left"}


def _read(prompt: str) -> str:
    return click.prompt(prompt, default="", show_default=False, err=True, prompt_suffix="")


def _say(text: str) -> None:
    click.echo(text, err=True)


class DiaryPrompts:
    """Asks with ``read(prompt)``, tells with ``say(text)`` (stderr in the CLI)."""

    def __init__(
        self,
        read: Callable[[str], str] = _read,
        say: Callable[[str], None] = _say,
        q: Questionnaire | None = None,
    ):
        self.read, self.say = read, say
        self.q = q or default_questionnaire()

    def _question(self, param: str) -> tuple[str, Allowed]:
        qid, field_id = QUESTIONS[param]
        question = self.q.question(qid)
        if field_id is None:
            return question.text, question.allowed
        field = question.field(field_id)
        return field.text, field.allowed

    def ask(self, param: str, required: bool = False) -> int | float | None:
        """One answer, asked until it is allowed (Enter skips unless ``required``)."""
        text, allowed = self._question(param)
        extras = [allowed.hint()] + ([] if required else ["Enter to skip"])
        prompt = f"{wrap(text)}\n   [{'; '.join(e for e in extras if e)}] > "
        while True:
            raw = self.read(prompt).strip()
            if not raw and not required:
                return None
            if not raw:
                self.say(f"   An answer is needed here: {allowed.describe()}.")
                continue
            try:
                value: int | float = parse_value(allowed, raw, None, self.q.forms)
                return value
            except AnswerProblem as exc:
                self.say(f"   Not allowed: {exc}. Please answer {allowed.describe()}.")

    def missing(self, values: dict[str, Any]) -> None:
        """Ask for every prompted value not given on the command line (both legs or neither)."""
        for param in QUESTIONS:
            if values.get(param) is None:
                values[param] = self.ask(param, required=values.get(PAIRS.get(param, "")) is not None)
        for right, left in PAIRS.items():
            if values.get(right) is not None and values.get(left) is None:
                self.say("   Both legs are needed together: the left leg too, please.")
                values[left] = self.ask(left, required=True)

    def again(self, values: dict[str, Any], problems: list[str], options: dict[str, str]) -> bool:
        """Ask again the answers the problems name (``field: ...``, ``options``: field -> its
        option); False when no problem names a prompted answer."""
        named = []
        for line in problems:
            option = options.get(line.partition(":")[0], "")
            param = option.removeprefix("--").replace("-", "_")
            if param in QUESTIONS and param not in named:
                named.append(param)
        if not named:
            return False
        for line in problems:
            self.say(wrap(f"Not stored: {line}", "   "))
        for param in named:
            values[param] = self.ask(param)
        return True


def diary_warnings(diary: list[dict[str, Any]], entry: dict[str, Any]) -> list[str]:
    """Heel raises of a stored diary week far outside what people do (alone and against the week before)."""
    before = [e for e in diary if e["week"] < entry["week"] and e.get("heel_raises")]
    previous = before[-1]["heel_raises"] if before else None
    plausible = default_questionnaire().plausible
    return heel_raise_warnings(plausible, entry.get("heel_raises"), previous, f"week {entry['week']}, heel raises")


FLAGS = {"settled": ("--settled", "--not-settled"), "sharp": ("--sharp", "--no-sharp")}


def kept_answers(runner_id: str, values: dict[str, Any]) -> str:
    """The command that stores these answers again, every option given or typed: nothing is lost."""
    words = [f"footcoach diary add {runner_id}"]
    for name, value in values.items():
        option = "--" + name.replace("_", "-")
        if value is None or (value is False and name not in FLAGS):
            continue
        if name in FLAGS:
            words.append(FLAGS[name][0] if value else FLAGS[name][1])
        elif name == "red_flags":
            words.extend(f"--red-flag {flag}" for flag in value)
        elif value is True:
            words.append(option)
        else:
            words.append(f"{option} {value}")
    return " ".join(words)
