"""Stub: being written (issue 7)."""

from django.http import Http404


def candidates(request, **kwargs):
    raise Http404


def checkins(request, **kwargs):
    raise Http404
