"""The project's URLs plus one view that fails the way a bug would: with the IIN it
was posted in its exception message (issue 8: force a 500 on a request carrying an IIN)."""

from django.urls import path

from ashyq.urls import urlpatterns as project_urlpatterns


def failing_view(request):
    raise ValueError(f"cannot handle the visitor {request.POST.get('iin')}")


urlpatterns = [path("fault/", failing_view), *project_urlpatterns]
