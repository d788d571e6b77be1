"""Stub: being written (issue 7)."""

from django.http import Http404


def compute(request, **kwargs):
    raise Http404


def run(request, **kwargs):
    raise Http404
