"""Run the command line as `python -m clausegen`."""

import sys

from clausegen.cli import main

sys.exit(main())
