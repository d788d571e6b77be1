"""Shared pieces of the demo data (see the seed_demo command)."""

from dataclasses import dataclass

# Published in the README and printed by seed_demo: demo only, refused in production.
DEMO_PASSWORD = "ashyq-demo-2021"  # noqa: S105


@dataclass(frozen=True)
class Credential:
    role: str
    login: str
    secret: str
