"""``python -m core`` runs the ``fieldbench`` command."""

import sys

from core.cli import main

sys.exit(main())
