"""The Celery app: configured from Django settings (CELERY_*), tasks found per app."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ashyq.settings")

app = Celery("ashyq")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
