from django import forms
from django.utils.translation import gettext_lazy as _

from ashyq.identifiers import IINField
from visitors import rules


class LinkIinForm(forms.Form):
    iin = IINField(label=_("Your IIN"), help_text=_("12 digits, as in your identity card."))
    consent = forms.BooleanField(
        label=_("I confirm this is my IIN and agree that Ashyq shows my status from the health registries."),
    )


# --- The guard page (R-CI-2) ------------------------------------------------------------------

# Countries whose visitors a door in Kazakhstan sees most often: suggestions only
# (an <input list>), any ISO 3166 alpha-2 code is accepted.
COMMON_COUNTRIES = (
    ("RU", _("Russia")),
    ("UZ", _("Uzbekistan")),
    ("KG", _("Kyrgyzstan")),
    ("CN", _("China")),
    ("TR", _("Turkey")),
    ("TJ", _("Tajikistan")),
    ("BY", _("Belarus")),
    ("AZ", _("Azerbaijan")),
    ("DE", _("Germany")),
    ("KR", _("South Korea")),
    ("US", _("United States")),
)


class _EntranceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name  # the venue is on the page already


class GuardLookupForm(forms.Form):
    """The visitor's IIN, or his passport number and country (R-ID-4), with his consent.

    The view never renders a bound copy of this form: whatever was typed is gone from
    the page after the answer (R-PR-6), so its errors carry no value either."""

    entrance = _EntranceField(queryset=None, label=_("Entrance"), empty_label=None)
    iin = IINField(label=_("Visitor's IIN"), required=False)
    passport = forms.CharField(
        label=_("Passport number"),
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )
    country = forms.CharField(
        label=_("Country (2 letters)"),
        required=False,
        max_length=2,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "list": "countries", "size": "4"}
        ),
    )
    consent = forms.BooleanField(
        label=_("The visitor agrees that his status is checked"),
        error_messages={"required": _("Tick the box once the visitor has agreed to the check.")},
    )

    def __init__(self, *args, entrances, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entrance"].queryset = entrances
        self.fields["iin"].widget.attrs.update(autofocus=True, enterkeyhint="send")
        for name in ("iin", "passport", "country"):
            self.fields[name].widget.attrs["data-clear"] = ""  # emptied after each answer

    def clean_passport(self) -> str:
        value = self.cleaned_data["passport"]
        if not value:
            return ""
        passport = rules.normalise_passport(value)
        if passport is None:
            raise forms.ValidationError(_("A passport number is 5 to 20 Latin letters and digits."))
        return passport

    def clean_country(self) -> str:
        value = self.cleaned_data["country"]
        if not value:
            return ""
        country = rules.normalise_country(value)
        if country is None:
            raise forms.ValidationError(_("Enter the country as two Latin letters, e.g. RU, UZ, DE."))
        return country

    def clean(self):
        data = super().clean()
        iin, passport, country = data.get("iin"), data.get("passport"), data.get("country")
        if self.errors:
            return data
        if iin and (passport or country):
            raise forms.ValidationError(_("Enter either the IIN, or the passport number and country — not both."))
        if not iin and not (passport and country):
            raise forms.ValidationError(
                _("Enter the visitor's IIN, or for a foreign visitor the passport number and country.")
            )
        return data

    def person(self) -> dict:
        """The keyword arguments of `guard_lookup` that name the visitor."""
        data = self.cleaned_data
        if data["iin"]:
            return {"iin": data["iin"]}
        return {"passport": data["passport"], "country": data["country"]}
