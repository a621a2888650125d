"""Shared test set-up.

pytester's in-process runs (tests/test_plugin.py) restore ``sys.modules`` afterwards, dropping
modules first imported inside them; a later import then makes second copies whose classes fail
``isinstance`` checks against the first (Schemathesis engine events, in tests/test_verify.py).
Importing them here, before any pytester run, keeps one copy for the whole session.
"""

import schemathesis.engine
import schemathesis.engine.events  # noqa: F401
