"""Old import path of the pytest plugin (``-p mockswarms.plugin``).

The plugin is ``mockswarms.testing.plugin``.

The module object is replaced by the plugin itself, so pytest never registers its hooks twice."""

import sys

from mockswarms.testing import plugin as _plugin

sys.modules[__name__] = _plugin
