"""`python -m app` runs the Enclave command line (GUI by default)."""

import sys

from app.cli import main

sys.exit(main())
