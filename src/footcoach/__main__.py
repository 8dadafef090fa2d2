"""python -m footcoach.cli / python -m footcoach."""

import sys

from footcoach.cli import main

sys.exit(main())
