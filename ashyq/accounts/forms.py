from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class StaffSignInForm(AuthenticationForm):
    """Password sign-in for staff (R-AU-3); axes counts the failures."""

    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username", "autocapitalize": "none"}),
    )
    error_messages = {
        "invalid_login": _("Wrong username or password. After several wrong tries the account is locked for a while."),
        "inactive": _("This account is disabled."),
    }
