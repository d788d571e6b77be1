"""The statuses part of seed_demo.

The colours of the demo come from the mock registries over HTTP, and seed_demo runs
before the server that serves them is up: the periodic sync (beat, every
REGISTRY_SYNC_MINUTES) pulls them once `./run` has started. Here only the sync state
rows are made, so that the operators' page lists every registry from the start.
"""

from ashyq.demo import Credential
from statuses.services import sync_states_ensure


def seed() -> list[Credential]:
    sync_states_ensure()
    return []
