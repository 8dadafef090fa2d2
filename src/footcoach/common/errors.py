"""The base of every bad-input error: one line per problem in ``problems``.

The command line turns any :class:`BadInput` into exit 2 with each problem on stderr
(:mod:`footcoach.common.exits`); the layers raise their own subclasses (documents, output,
the contract's InputError) without knowing about the command line.
"""

from __future__ import annotations


class BadInput(Exception):
    """Input footcoach refuses; ``problems`` holds one line per problem."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))
