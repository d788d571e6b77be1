from django import forms
from django.utils.translation import gettext_lazy as _

from ashyq.sms.rules import CODE_DIGITS, is_code_format, normalize_phone


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=32,
        help_text=_("We send a one-time code to this number by SMS."),
        widget=forms.TextInput(
            attrs={
                "type": "tel",
                "inputmode": "tel",
                "autocomplete": "tel",
                "placeholder": "+7 7__ ___ __ __",
                "autofocus": True,
            }
        ),
    )

    def clean_phone(self) -> str:
        return normalize_phone(self.cleaned_data["phone"])


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the SMS"),
        max_length=16,  # room for a pasted "123 456"
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "autofocus": True,
            }
        ),
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not is_code_format(code):
            raise forms.ValidationError(
                _("Enter the %(digits)d digits of the code from the SMS.") % {"digits": CODE_DIGITS},
                code="invalid_code",
            )
        return code
