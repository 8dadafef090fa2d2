"""The one text wrapper: paragraphs to a terminal's width, never breaking inside a word.

A word longer than the line (a long shoe name, a URL) stays whole on a line of its own rather
than being cut; hyphenated words (eyes-open) are not split at the hyphen either.
"""

from __future__ import annotations

import shutil
import textwrap

DEFAULT_WIDTH = 80  # not clinical: the classic terminal width when none can be found
MIN_WIDTH = 20  # not clinical: below this, indentation would leave no room for words


def terminal_width(fallback: int = DEFAULT_WIDTH) -> int:
    """The width of the terminal (``COLUMNS`` when set, else the terminal, else ``fallback``)."""
    return max(MIN_WIDTH, shutil.get_terminal_size((fallback, 0)).columns)


def wrap(text: str, width: int = DEFAULT_WIDTH, indent: str = "", hang: str | None = None) -> list[str]:
    """``text`` as lines of at most ``width`` characters (a single longer word excepted).

    ``indent`` starts the first line, ``hang`` (default: ``indent``) the following ones.  An empty
    text is one line holding the indent, stripped."""
    width = max(MIN_WIDTH, width)
    return textwrap.wrap(
        text,
        width=width,
        initial_indent=indent,
        subsequent_indent=indent if hang is None else hang,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [indent.rstrip()]
