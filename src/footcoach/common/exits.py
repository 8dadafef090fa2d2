"""footcoach's exit codes, in one place (``footcoach --help`` and the README list them).

- 0 ``EXIT_OK``: done.
- 1 ``EXIT_FINDINGS``: a check ran and found problems (``rules check``, ``rules coverage``).
- 2 ``EXIT_BAD_INPUT``: bad input or usage; every problem is on stderr, nothing on stdout, nothing written.
- 70 ``EXIT_INTERNAL`` (``EX_SOFTWARE``): a bug in footcoach; no input should reach it.
- 130 ``EXIT_INTERRUPTED``: stopped by Ctrl-C (128 + SIGINT); nothing saved.
"""

from __future__ import annotations

import os

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = os.EX_SOFTWARE  # 70, sysexits.h: an internal software error
EXIT_INTERRUPTED = 130

EXIT_CODES_HELP = (
    "Exit codes: 0 ok; 1 a check found problems (rules check); 2 bad input or usage (nothing written); "
    "70 internal error (a bug: please report it); 130 interrupted."
)
