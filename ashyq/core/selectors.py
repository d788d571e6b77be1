from ashyq.core.models import WorkerHeartbeat


def last_heartbeat() -> WorkerHeartbeat | None:
    return WorkerHeartbeat.objects.order_by("-at").first()
