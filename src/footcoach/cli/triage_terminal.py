"""The triage session in a terminal: each page's questions asked one by one, each answer checked as
it is typed, ``back``, ``?`` for why, and a review of every answer before the result.

It drives :class:`footcoach.triage.session.TriageSession` (the web drives the same session from
forms); it holds no rule of its own about what an answer may be.
"""

from __future__ import annotations

from collections.abc import Callable

from footcoach.common.wrapping import terminal_width
from footcoach.common.wrapping import wrap as wrap_lines
from footcoach.triage.session import Field, FieldError, Page, TriageSession

BACK = object()  # typed `back` on the first question of a page


def wrap(text: str, indent: str = "", hanging: str | None = None) -> str:
    """``text`` wrapped to the terminal's width, never inside a word (``hanging``: later lines' indent)."""
    return "\n".join(wrap_lines(text, terminal_width() - 1, indent, hanging))


class Terminal:
    """Asks with ``read(prompt)`` and tells with ``say(text)`` (both on stderr in the CLI)."""

    def __init__(self, session: TriageSession, read: Callable[[str], str], say: Callable[[str], None]):
        self.session, self.read, self.say = session, read, say
        self.forms = session.q.forms

    # ---- one question ------------------------------------------------------------------------

    def _show(self, f: Field) -> None:
        if f.intro:
            self.say("")
            self.say(wrap(f.intro, "   "))
        self.say("")
        self.say(wrap(f.text))
        if f.kind == "choice":
            for n, (value, label) in enumerate(f.options, 1):
                self.say(f"   {n}. {value}" + (f" - {label}" if label != value else ""))

    def _prompt(self, f: Field, current: str) -> str:
        extras = [f.hint] if f.hint else []
        if current:
            extras.append(f"Enter keeps {current}")
        elif not f.required:
            extras.append("Enter to skip")
        extras.extend(["back", "? why"])
        return f"   [{'; '.join(extras)}] > "

    def ask(self, f: Field, current: str) -> str | object:
        """One field until its answer is allowed alone: the raw text, "" for none, or BACK."""
        self._show(f)
        prompt = self._prompt(f, current)
        while True:
            line = self.read(prompt).strip()
            word = line.lower()
            if line == "?":
                self.say(wrap(f"Why we ask: {f.why}", "   "))
                continue
            if word in self.forms.back:
                return BACK
            if line == "" and current:
                return current
            if word in self.forms.skip and not f.required:
                return ""
            _, error = self.session.check(f.key, line)
            if error is None:
                return line
            self.say(f"   {error.sentence}")

    # ---- one page ---------------------------------------------------------------------------

    def _stops_here(self, page: Page, f: Field, raw: str) -> bool:
        return page.red_flags and self.session.check(f.key, raw)[0] is True

    def ask_page(self, page: Page, start: int = 0, only: str | None = None) -> dict[str, str] | object:
        """The raw answers of a page, asked from field ``start`` (or only field ``only``); BACK
        when `back` is typed on its first question."""
        raws = {f.key: f.shown for f in page.fields}
        if start == 0 and only is None:
            self.say("")
            self.say(f"-- {page.title} --")
        i = start
        while i < len(page.fields):
            f = page.fields[i]
            if only is not None and f.key != only:
                i += 1
                continue
            answer = self.ask(f, raws[f.key])
            if answer is BACK:
                if i == 0 or only is not None:
                    return BACK
                i -= 1
                continue
            raws[f.key] = str(answer)
            if self._stops_here(page, f, raws[f.key]):
                return raws  # a red flag stops the questionnaire at once
            i += 1
        return raws

    def _fix(self, page: Page, raws: dict[str, str], errors: list[FieldError]) -> dict[str, str]:
        """Re-ask the fields the session refused (answers that do not fit together, a record conflict)."""
        by_key = {f.key: f for f in page.fields}
        for error in errors:
            f = by_key.get(error.key)
            if f is None:
                continue
            self.say(wrap(self.explain(error), "   "))
            answer = self.ask(f, "")
            raws[f.key] = raws[f.key] if answer is BACK else str(answer)
        return raws

    @staticmethod
    def explain(error: FieldError) -> str:
        return error.sentence

    def page(self, page: Page, start: int = 0, only: str | None = None) -> None:
        """Ask a page and give it to the session until it is taken (or `back`)."""
        raws = self.ask_page(page, start, only)
        if raws is BACK and only is not None:
            self.session.to_review()  # `back` while changing one answer: nothing changed
            return
        if raws is BACK:
            previous = self.session.back()
            if previous is not None and previous.id != page.id:
                self.page(previous, start=len(previous.fields) - 1)
            return
        assert isinstance(raws, dict)
        while errors := self.session.answer(page.id, raws):
            raws = self._fix(page, raws, errors)
        for warning in self.session.warnings:
            self.say(wrap(f"Please check: {warning}.", "   "))

    # ---- review -------------------------------------------------------------------------------

    def review(self) -> bool:
        """Show every answer; True when the runner is done (Enter), False after a change or `back`."""
        items = self.session.review()
        self.say("")
        self.say("-- Your answers --")
        for n, item in enumerate(items, 1):
            self.say(wrap(f"{n:>3}. {item.text}  [{item.answer}]", "", "     "))
        prompt = f"   [Enter: see your result; 1-{len(items)}: change that answer; back] > "
        while True:
            try:
                line = self.read(prompt).strip().lower()
            except EOFError:
                return True  # piped answers that end at the review: nothing left to change
            if line == "":
                return True
            if line in self.forms.back:
                self.session.back()
                return False
            if line.isdigit() and 1 <= int(line) <= len(items):
                item = items[int(line) - 1]
                self.page(self.session.change(item.page), only=item.key)
                return False
            self.say(f"   Please press Enter, type a number from 1 to {len(items)}, or back.")

    def run(self) -> None:
        """Until a red flag stops the session or the answers are final."""
        messages = self.session.q.messages
        self.say(wrap(messages.intro))
        self.say("")
        self.say(wrap(messages.red_flags_intro))
        while not self.session.stopped and not self.session.finished:
            page = self.session.current()
            if page is not None:
                self.page(page)
            elif self.review():
                for error in self.session.finish():
                    self.say(wrap(self.explain(error), "   "))
