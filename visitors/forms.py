from django import forms
from django.utils.translation import gettext_lazy as _

from ashyq.identifiers import IINField


class LinkIinForm(forms.Form):
    iin = IINField(label=_("Your IIN"), help_text=_("12 digits, as in your identity card."))
    consent = forms.BooleanField(
        label=_("I confirm this is my IIN and agree that Ashyq shows my status from the health registries."),
    )
