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

# The suite runs in parallel processes (pytest-xdist, pytest.ini: worker ids gw0, gw1, …).
# Each has its own database (pytest-django adds the worker id to its name) and var
# folder; on the production stack each also gets its own Redis databases for the
# broker, the results and the cache (three per worker after the configured ones), so
# that one process's Celery worker never takes another's tasks and a cache.clear()
# clears only its own.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _worker:
    # The workers inherit the controller's environment, its var folder included: each
    # takes a folder of its own inside it (the file-system broker's queue is there).
    # The keys stay the controller's: every process must sign and encrypt alike (the
    # test ids of some parametrised tests are tokens signed with them).
    import shutil
    from pathlib import Path

    from ashyq.keys import LOCAL_KEY_NAMES, load_or_create_local_keys

    _shared = Path(os.environ["ASHYQ_VAR_DIR"])
    load_or_create_local_keys(_shared / "keys.json", LOCAL_KEY_NAMES)  # safe from several processes at once
    os.environ["ASHYQ_VAR_DIR"] = str(_shared / _worker)
    os.makedirs(os.environ["ASHYQ_VAR_DIR"], exist_ok=True)
    shutil.copy(_shared / "keys.json", Path(os.environ["ASHYQ_VAR_DIR"]) / "keys.json")
if _worker[2:].isdigit() and int(_worker[2:]) > 0:
    import re

    for _name in ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "CACHE_URL"):
        _match = re.fullmatch(r"(rediss?://[^/]*)/(\d+)", os.environ.get(_name, ""))
        if _match:
            os.environ[_name] = f"{_match.group(1)}/{int(_match.group(2)) + 3 * int(_worker[2:])}"
