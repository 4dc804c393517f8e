"""``python -m labgrader``: the same as the ``labgrader`` console script."""

import sys

from labgrader.cli import main

sys.exit(main())
