"""`python -m analytics …`: the command line of the engine."""

import sys

from analytics.cli import main

sys.exit(main())
