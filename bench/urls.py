"""The site's URLs plus B1's floor endpoint; mounted by bench.settings only."""

from django.urls import path

from ashyq.urls import urlpatterns as site_urlpatterns
from bench.floor import floor

urlpatterns = [path("bench/floor/", floor, name="bench_floor"), *site_urlpatterns]
