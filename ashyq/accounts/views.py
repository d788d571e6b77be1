from django.contrib.auth import views as auth_views
from django.utils import timezone
from django.views import i18n
from django.views.decorators.http import require_POST

from ashyq.accounts.forms import StaffSignInForm
from ashyq.accounts.lockout import client_address
from ashyq.accounts.services import known_address_record, user_language_set


class StaffSignInView(auth_views.LoginView):
    template_name = "accounts/sign_in.html"
    form_class = StaffSignInForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        # R-AU-3: an address the per-username cap spares from now on.
        known_address_record(user=form.get_user(), address=client_address(self.request), now=timezone.now())
        return response


class SignOutView(auth_views.LogoutView):
    pass


@require_POST
def language_set(request):
    """The language switcher: Django's set_language (the cookie and the redirect), and
    for a signed-in person the choice kept with his account, so that e-mails to him
    (a sanitary officer's door reports, an owner's sanctions) are in his language."""
    response = i18n.set_language(request)
    if request.user.is_authenticated:
        user_language_set(user=request.user, language=request.POST.get("language", ""))
    return response
