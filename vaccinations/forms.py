"""Input of the vaccination passport's pages, with messages in the user's language. No
form repeats an IIN or a passport number back in an error (R-ID-5)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ashyq.identifiers import parse_iin
from ashyq.reference.models import Region
from ashyq.validators import validate_name
from vaccinations import rules
from vaccinations.certificates import MAX_TEXT
from vaccinations.models import Vaccine
from visitors.forms import COMMON_COUNTRIES

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PersonForm(forms.Form):
    """Who: an IIN, or a passport number and its country (R-ID-4)."""

    iin = forms.CharField(
        label=_("IIN"), required=False, max_length=20, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )
    passport = forms.CharField(label=_("or passport number"), required=False, max_length=20)
    country = forms.ChoiceField(
        label=_("country of the passport"), required=False, choices=[("", "—"), *COMMON_COUNTRIES]
    )

    def __init__(self, *args, hidden: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if hidden:  # carried on to the next step in the POST body, never the URL
            for field in self.fields.values():
                field.widget = forms.HiddenInput()

    def clean(self):
        data = super().clean()
        iin, passport, country = data.get("iin", ""), data.get("passport", "").strip(), data.get("country", "")
        if iin:
            try:
                data["iin"] = parse_iin(iin).number
            except ValidationError as exc:
                raise ValidationError({"iin": exc.messages}) from None
            data["passport"] = data["country"] = ""
        elif passport and country:
            data["passport"] = "".join(passport.split()).replace("-", "").upper()
        else:
            raise ValidationError(_("Enter an IIN, or a passport number and its country."))
        return data


class DoseForm(forms.Form):
    vaccine = forms.ModelChoiceField(Vaccine.objects.filter(active=True), label=_("Vaccine"), to_field_name="code")
    dose = forms.IntegerField(label=_("Dose number"), min_value=1, max_value=rules.MAX_DOSE, initial=1)
    administered_on = forms.DateField(label=_("Date of the dose"), widget=DATE)
    family_name = forms.CharField(label=_("Family name"), max_length=100, validators=[validate_name])
    given_name = forms.CharField(label=_("Given name"), max_length=100, required=False, validators=[validate_name])


class SelfEntryForm(DoseForm):
    """R-VP-3: a dose the citizen received (e.g. abroad), with a photo of the document."""

    organisation = forms.CharField(label=_("Where you were vaccinated"), max_length=200)
    country = forms.ChoiceField(label=_("Country"), choices=[("KZ", _("Kazakhstan")), *COMMON_COUNTRIES])
    region = forms.ModelChoiceField(
        Region.objects.all(),
        label=_("Region whose medical workers confirm it"),
        to_field_name="code",
    )
    photo = forms.FileField(
        label=_("Photo of the vaccination document"), widget=forms.ClearableFileInput(attrs={"accept": "image/*"})
    )


class ConfirmForm(forms.Form):
    """R-VP-3, R-VP-4: the name as the confirming medical worker records it."""

    family_name = forms.CharField(label=_("Family name"), max_length=100, validators=[validate_name])
    given_name = forms.CharField(label=_("Given name"), max_length=100, required=False, validators=[validate_name])


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Why it is rejected"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class VerifyForm(forms.Form):
    """R-VP-5: the certificate's text, as a scan or a paste gives it."""

    certificate = forms.CharField(
        label=_("Certificate text (HC1:…)"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5, "autocomplete": "off", "spellcheck": "false"}),
    )


class FiguresForm(forms.Form):
    """R-VP-6: the weeks to show (at most 26) and, for those who see every region, one of them."""

    first = forms.DateField(label=_("From the week of"), required=False, widget=DATE)
    last = forms.DateField(label=_("To the week of"), required=False, widget=DATE)

    def __init__(self, *args, regions=None, **kwargs):
        super().__init__(*args, **kwargs)
        if regions is not None:
            self.fields["region"] = forms.ModelChoiceField(
                regions, to_field_name="code", required=False, label=_("Region"), empty_label=_("All of Kazakhstan")
            )

    def clean(self):
        data = super().clean()
        first, last = data.get("first"), data.get("last")
        if first and last and first > last:
            raise ValidationError(_("The first week is after the last one."))
        if first and last and len(rules.weeks_between(first, last)) > MAX_WEEKS:
            raise ValidationError(_("Choose at most %(weeks)d weeks.") % {"weeks": MAX_WEEKS})
        return data


MAX_WEEKS = 26
DEFAULT_WEEKS = 12
