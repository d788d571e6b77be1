"""manage.py healthcheck worker|beat: the compose health checks of the Celery services,
from the age of the heartbeat (ashyq.core.tasks.heartbeat, queued by beat every minute
and run by a worker). Exits 0 when healthy, 1 otherwise, with one line saying why.

- `worker`: the worker of this host (its container) ran a heartbeat less than
  HEARTBEAT_MAX_AGE ago: it consumes the queue.
- `beat`: some worker ran one that recently: beat keeps queueing the periodic tasks.
"""

import socket

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils import timezone

from ashyq.core.selectors import HEARTBEAT_MAX_AGE, heartbeat_check


class Command(BaseCommand):
    help = "Exit 0 if the worker of this host (worker) or any worker (beat) ran a recent heartbeat."
    requires_system_checks: list[str] = []  # every 30 s in every container: load the settings, nothing more

    def add_arguments(self, parser):
        parser.add_argument("service", choices=["worker", "beat"])

    def handle(self, *args, service: str, **options):
        hostname = socket.gethostname() if service == "worker" else None
        try:
            check = heartbeat_check(now=timezone.now(), hostname=hostname)
        except DatabaseError as exc:
            raise CommandError(f"unhealthy: the database does not answer ({type(exc).__name__})") from exc
        if not check.ok:
            limit = int(HEARTBEAT_MAX_AGE.total_seconds())
            raise CommandError(f"unhealthy: {check.detail} (at most {limit} s), {service} on {socket.gethostname()}")
        self.stdout.write(f"healthy: {check.detail}")
