import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _empty_cache():
    """A status cached by another test must never answer for this one."""
    cache.clear()
    yield
    cache.clear()
