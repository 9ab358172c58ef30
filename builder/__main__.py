"""`python -m builder` is `docs-builder`."""

import sys

from .cli.main import main

sys.exit(main())
