"""Unit tests never depend on which lab instance the calling shell names: they see the default.

(`scripts/test.sh` names the tests' lab instance for the integration phase; a unit test that
reads names or paths of the labs must get the same answer from any shell.)
"""

from __future__ import annotations

import os

os.environ.pop("GOVCLOUD_LAB_INSTANCE", None)
os.environ.pop("GOVCLOUD_LAB_DIR", None)
