"""``python -m mockswarms`` is the ``mockswarms`` command."""

from .cli import main

raise SystemExit(main())
