"""The project's URLs plus one view that fails the way a bug would: with the IIN it
was posted in its exception message. The page and the log of that 500 must hold no IIN
(R-ID-5)."""

from django.urls import path

from ashyq.urls import urlpatterns as project_urlpatterns


def failing_view(request):
    raise ValueError(f"cannot handle the visitor {request.POST.get('iin')}")


urlpatterns = [path("fault/", failing_view), *project_urlpatterns]
