"""Terminal safety: what footcoach prints never carries a control character or an escape sequence
from user input (ids, names, notes, reasons, shoe names, file contents quoted in errors).

- :func:`escape_user` is for one user-supplied string shown in text: every control character
  (C0 including newline, tab and carriage return; DEL; C1 such as the 8-bit CSI) and the Unicode
  bidirectional overrides become a visible ``\\uXXXX`` escape, so a value cannot start a terminal
  escape sequence, forge a line or reorder what is displayed.
- :class:`TerminalSafeStream` wraps stdout/stderr for the whole command: whatever is written
  keeps its layout (newline, tab, and a carriage return that starts a write or ends a line) and has
  every other such character escaped the same way.  The escape is a JSON escape, so JSON output stays valid and means the same.
"""

from __future__ import annotations

import io
import re
from typing import TextIO

_BIDI = "\u200e\u200f\u202a-\u202e\u2066-\u2069"
_UNSAFE_IN_VALUE = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}]")
# A carriage return is layout only at the start of a write (a progress line redrawn) or before a
# newline; anywhere else it could redraw a line the program printed, so it is escaped too.
_UNSAFE_IN_OUTPUT = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI}]|(?<=.)\r(?!\n)", re.DOTALL)
# Every character _UNSAFE_IN_OUTPUT can match (carriage return included), as one character class:
# a scan for it is several times quicker than the substitution, and most output holds none.
_MAYBE_UNSAFE_IN_OUTPUT = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}]")


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def escape_user(value: object) -> str:
    """``value`` as text that is safe to print on one line of a terminal."""
    return _UNSAFE_IN_VALUE.sub(_escape, str(value))


def escape_output(text: str) -> str:
    """``text`` with its layout kept and every other control character escaped."""
    if _MAYBE_UNSAFE_IN_OUTPUT.search(text) is None:  # nothing to escape: the common case
        return text
    return _UNSAFE_IN_OUTPUT.sub(_escape, text)


class TerminalSafeStream(io.TextIOBase):
    """A text stream that escapes control characters on their way to ``stream``."""

    def __init__(self, stream: TextIO):
        super().__init__()
        self._stream = stream

    def write(self, s: str) -> int:
        if not isinstance(s, str):
            raise TypeError(f"write() argument must be str, not {type(s).__name__}")
        self._stream.write(escape_output(s))
        return len(s)

    def flush(self) -> None:
        self._stream.flush()

    def isatty(self) -> bool:
        return self._stream.isatty()

    def fileno(self) -> int:
        return self._stream.fileno()

    def writable(self) -> bool:
        return True

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self._stream, "encoding", None) or "utf-8"

    @property
    def errors(self) -> str:  # type: ignore[override]
        return getattr(self._stream, "errors", None) or "strict"
