"""URLs of Leader Ashyq (mounted at /leaders/): review and decision (R-LD-3), exports,
on-demand computation runs, and the public pages of current leaders."""

from datetime import date

from django.urls import path, register_converter

from leaders import export_views, run_views, views


class IsoDateConverter:
    """A period's first day in a URL: YYYY-MM-DD."""

    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> date:
        return date.fromisoformat(value)  # ValueError → the URL does not match (404)

    def to_url(self, value) -> str:
        return value.isoformat() if isinstance(value, date) else str(value)


register_converter(IsoDateConverter, "isodate")

app_name = "leaders"
urlpatterns = [
    # Staff: the akimat's review, the commission's decision (R-LD-3).
    path("", views.index, name="index"),
    path("review/<slug:code>/<isodate:start>/", views.review, name="review"),
    path("review/<slug:code>/<isodate:start>/candidates/<int:pk>/strike/", views.strike, name="strike"),
    path("review/<slug:code>/<isodate:start>/submit/", views.submit, name="submit"),
    path("periods/<isodate:start>/", views.period, name="period"),
    path("periods/<isodate:start>/decision/", views.decide, name="decide"),
    # Exports of a region's period: fmt is "csv" or "xlsx".
    path("review/<slug:code>/<isodate:start>/candidates.<str:fmt>", export_views.candidates, name="export_candidates"),
    path("review/<slug:code>/<isodate:start>/checkins.<str:fmt>", export_views.checkins, name="export_checkins"),
    # On-demand computation with progress (R-LD-2).
    path("compute/", run_views.compute, name="compute"),
    path("runs/<int:pk>/", run_views.run, name="run"),
    # Public: the current leaders of each region (R-LD-3).
    path("regions/", views.public_index, name="public_index"),
    path("regions/<slug:code>/", views.public_region, name="public_region"),
]
