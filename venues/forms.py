"""Owner sign-up and the venue application form (R-ID-3, R-VN-1)."""

import re

from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ashyq.accounts.models import User
from ashyq.identifiers import BINField
from ashyq.reference.models import Category, Region
from ashyq.sms.rules import is_code_format, normalize_phone
from ashyq.validators import validate_name
from venues import rules

_OKED = re.compile(r"[0-9]{5}")
# Letters, digits and the separators notification numbers use; it becomes part of the
# registry's URL, so no "..", "?" or "#".
_NOTIFICATION_NUMBER = re.compile(r"[\w№][\w\-/.№ ]*")


class OwnerSignUpForm(UserCreationForm):
    """Username, e-mail, password (Django's validators) and the company's BIN."""

    bin = BINField(
        label=_("Company BIN"),
        help_text=_("12 digits. The company's name is taken from the business registry."),
    )

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True
        self.fields["username"].widget.attrs.update(autocapitalize="none", autocomplete="username")


class ClaimCodeForm(forms.Form):
    """The code sent to the company's contact phone (the proof of a claim)."""

    code = forms.CharField(
        label=_("Code from the SMS to the company's phone"),
        max_length=16,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not is_code_format(code):
            raise ValidationError(_("Enter the 6 digits of the code."), code="invalid_code")
        return code


class ApplicationForm(forms.Form):
    """One venue (R-VN-1). `companies` are the owner's; with one, it is not asked."""

    company = forms.ModelChoiceField(label=_("Company"), queryset=None, empty_label=None)
    name = forms.CharField(label=_("Venue name"), max_length=300, validators=[validate_name])
    address = forms.CharField(
        label=_("Address"),
        max_length=500,
        validators=[validate_name],
        help_text=_("As written in the sanitary notification, e.g. “Almaty, Abay avenue, 10”."),
    )
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.all())
    category = forms.ModelChoiceField(label=_("Activity category"), queryset=Category.objects.all())
    oked = forms.CharField(
        label=_("OKED code"),
        max_length=5,
        help_text=_("The five-digit activity code registered for the company."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    notification_number = forms.CharField(label=_("Sanitary notification number"), max_length=50)
    notification_date = forms.DateField(
        label=_("Sanitary notification date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    capacity = forms.IntegerField(
        label=_("Capacity (persons)"), min_value=1, max_value=100_000, widget=forms.NumberInput(attrs={"min": 1})
    )
    entrances = forms.CharField(
        label=_("Entrances"),
        help_text=_("One name per line, e.g. “Main entrance”. Each entrance gets an entry and an exit QR code."),
        widget=forms.Textarea(attrs={"rows": 3}),
        initial=_("Main entrance"),
    )
    phone = forms.CharField(
        label=_("Venue phone"),
        max_length=30,
        help_text=_("The mobile number the venue uses, e.g. +7 701 123 45 67."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    holds_documents = forms.BooleanField(label=_("The venue holds the documents that allow it to work."))
    responsible = forms.BooleanField(label=_("I am responsible for the accuracy of the data entered."))
    accepts_agreement = forms.BooleanField(label=_("I accept the user agreement of Ashyq."))
    # A fresh key per form shown (the view's initial): the same form submitted twice is
    # one application (venues.services.application_submit).
    idempotency_key = forms.UUIDField(
        widget=forms.HiddenInput,
        error_messages={"required": _("This form is out of date: open a new application and submit it again.")},
    )

    def __init__(self, *args, companies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = companies
        if len(companies) == 1:
            self.fields["company"].initial = companies[0].pk
            self.fields["company"].widget = forms.HiddenInput()

    def clean_oked(self) -> str:
        oked = self.cleaned_data["oked"].strip()
        if not _OKED.fullmatch(oked):
            raise ValidationError(_("An OKED code is five digits, e.g. 56101."), code="oked")
        return oked

    def clean_notification_number(self) -> str:
        number = " ".join(self.cleaned_data["notification_number"].split())
        if not _NOTIFICATION_NUMBER.fullmatch(number) or ".." in number:
            raise ValidationError(
                _("Enter the number as written in the notification: letters, digits, “-” and “/”."), code="number"
            )
        return number

    def clean_entrances(self) -> list[str]:
        text = self.cleaned_data["entrances"].replace("\r\n", "\n").replace("\n", " ")  # one name a line
        validate_name(text)
        names = rules.parse_entrances(self.cleaned_data["entrances"])
        if not names:
            raise ValidationError(_("Name at least one entrance."), code="no_entrances")
        if len(names) > rules.MAX_ENTRANCES:
            raise ValidationError(_("At most %(max)s entrances."), code="too_many", params={"max": rules.MAX_ENTRANCES})
        if any(len(name) > 200 for name in names):
            raise ValidationError(_("An entrance name is at most 200 characters."), code="too_long")
        repeated = rules.duplicate_names(names)
        if repeated:
            raise ValidationError(
                _("Each entrance needs its own name: %(names)s is given twice."),
                code="duplicate",
                params={"names": ", ".join(repeated)},
            )
        return names

    def clean_phone(self) -> str:
        return normalize_phone(self.cleaned_data["phone"])

    def application_data(self) -> dict:
        """The cleaned data as `application_submit` takes it (confirmations left out)."""
        skip = {"company", "holds_documents", "responsible", "accepts_agreement", "idempotency_key"}
        return {key: value for key, value in self.cleaned_data.items() if key not in skip}
