"""pytest plugin loaded before Django starts (`-p ashyq.testing` in pytest.ini)."""

import os
import tempfile

# Tests get their own var folder: a file-system broker queue and keys that a running
# development worker never sees.
os.environ.setdefault("ASHYQ_VAR_DIR", tempfile.mkdtemp(prefix="ashyq-test-"))
os.environ.setdefault("FAST_PASSWORD_HASHER", "1")
