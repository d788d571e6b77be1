"""Stub: being written (issue 7)."""

from django.http import Http404


def public(request, **kwargs):
    raise Http404


def national(request, **kwargs):
    raise Http404


def region(request, **kwargs):
    raise Http404
