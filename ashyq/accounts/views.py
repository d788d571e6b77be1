from django.contrib.auth import views as auth_views

from ashyq.accounts.forms import StaffSignInForm


class StaffSignInView(auth_views.LoginView):
    template_name = "accounts/sign_in.html"
    form_class = StaffSignInForm
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    pass
