"""pytest plugin loaded before Django starts (`-p ashyq.testing` in pytest.ini)."""

import os
import tempfile

# Tests get their own var folder: a file-system broker queue and keys that a running
# development worker never sees.
os.environ.setdefault("ASHYQ_VAR_DIR", tempfile.mkdtemp(prefix="ashyq-test-"))
os.environ.setdefault("FAST_PASSWORD_HASHER", "1")
# Registries answer only where a test serves them (the `registry` fixture); by default
# they are unreachable, never a developer's server running on port 8000.
os.environ.setdefault("REGISTRY_URL", "http://127.0.0.1:9/mock/")
