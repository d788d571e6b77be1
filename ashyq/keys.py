"""Generated keys for the embedded mode, kept in one git-ignored file."""

import base64
import json
import os
import secrets
from pathlib import Path

# The keys generated into var/keys.json where the environment does not give them.
LOCAL_KEY_NAMES = ("SECRET_KEY", "IIN_ENCRYPTION_KEY", "IIN_INDEX_KEY", "QR_SIGNING_KEY", "VACCINATION_SIGNING_KEY")


def _new_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def load_or_create_local_keys(path: Path, names: tuple[str, ...]) -> dict[str, str]:
    """Return the keys stored at `path`, generating (once) any that are missing.

    The web server and the Celery worker start at the same moment: the file is
    written to a temporary name and linked into place, so that both end up with the
    same keys and neither reads a half-written file.
    """
    keys = json.loads(path.read_text()) if path.exists() else {}
    missing = [name for name in names if name not in keys]
    if not missing:
        return keys
    keys.update({name: _new_key() for name in missing})
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(keys, f)
    if path.exists():
        os.replace(tmp, path)  # adding a new key to an existing file
    else:
        try:
            os.link(tmp, path)
        except FileExistsError:  # the other process won the race: use its keys
            os.unlink(tmp)
            return load_or_create_local_keys(path, names)
        os.unlink(tmp)
    return keys
