"""``python -m mockswarms`` is the ``mockswarms`` command."""

from mockswarms.cli import main

raise SystemExit(main())
