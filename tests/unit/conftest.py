"""Unit tests never depend on which lab instance the calling shell names: they see the default.
Nor do they write to the user's parse cache.

(`scripts/test.sh` names the tests' lab instance for the integration phase; a unit test that
reads names or paths of the labs must get the same answer from any shell.)
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

os.environ.pop("GOVCLOUD_LAB_INSTANCE", None)
os.environ.pop("GOVCLOUD_LAB_DIR", None)

# Parsed models and ledgers are cached by content hash (govcloud.parsecache): the unit tests keep
# theirs in a folder of their own, out of the user's cache, removed when the run ends.
_PARSE_CACHE = tempfile.mkdtemp(prefix="govcloud-parse-cache-")
os.environ["GOVCLOUD_PARSE_CACHE"] = _PARSE_CACHE
atexit.register(shutil.rmtree, _PARSE_CACHE, ignore_errors=True)
