from django.contrib.auth import views as auth_views
from django.utils import timezone

from ashyq.accounts.forms import StaffSignInForm
from ashyq.accounts.lockout import client_address
from ashyq.accounts.services import known_address_record


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
