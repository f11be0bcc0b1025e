"""Entry script frozen by PyInstaller (packaging/enclave.spec): runs the `enclave` command."""

import sys

from app.cli import main

if __name__ == "__main__":
    sys.exit(main())
