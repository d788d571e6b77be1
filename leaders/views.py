"""Stub: being written (issue 7)."""

from django.http import Http404


def index(request, **kwargs):
    raise Http404


def review(request, **kwargs):
    raise Http404


def strike(request, **kwargs):
    raise Http404


def submit(request, **kwargs):
    raise Http404


def period(request, **kwargs):
    raise Http404


def decide(request, **kwargs):
    raise Http404


def public_index(request, **kwargs):
    raise Http404


def public_region(request, **kwargs):
    raise Http404
