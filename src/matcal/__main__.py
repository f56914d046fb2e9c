"""``python -m matcal``: the same as the ``matcal`` command."""

import sys

from matcal.cli import main

if __name__ == "__main__":
    sys.exit(main())
