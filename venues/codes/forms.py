"""Input of the owner's QR-code and guard-mode actions; no writes here."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ashyq.sms.rules import normalize_phone


class GuardPhoneForm(forms.Form):
    """R-VN-7: the phone number the venue uses, which its guard signs in with."""

    phone = forms.CharField(
        label=_("The venue's phone number"),
        max_length=32,
        help_text=_("A mobile number of Kazakhstan that the venue itself uses, e.g. +7 701 123 45 67."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )

    def clean_phone(self) -> str:
        return normalize_phone(self.cleaned_data["phone"])


class GuardAnswerForm(forms.Form):
    """R-VN-7: the holder of a guard phone accepts or declines (the button he pressed)."""

    ACCEPT, DECLINE = "accept", "decline"
    answer = forms.ChoiceField(choices=[(ACCEPT, ACCEPT), (DECLINE, DECLINE)])


class ReissueForm(forms.Form):
    """R-VN-4: re-issuing revokes every printed code, so the owner confirms it."""

    confirm = forms.BooleanField(
        label=_("I understand that the printed codes stop working and must be replaced."),
        error_messages={"required": _("Tick the box to confirm: the printed codes will stop working.")},
    )


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Name or address"), max_length=100, required=False, strip=True)
