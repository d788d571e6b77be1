from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator
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


class _EntrancesAsRead(ModelChoiceIterator):
    """The choices from the entrances the view read already (prefetched with the venue),
    not from a query (the form was otherwise read 3-4 times per look-up)."""

    def __iter__(self):
        for entrance in self.field.entrances:
            yield self.choice(entrance)

    def __len__(self):
        return len(self.field.entrances)

    def __bool__(self):
        return bool(self.field.entrances)


class _EntranceField(forms.ModelChoiceField):
    """One of the venue's entrances, validated against the ones given, with
    ModelChoiceField's messages and rendering. `queryset` is the list as read (the
    templates use its length and first item)."""

    iterator = _EntrancesAsRead

    def __init__(self, **kwargs):
        self.entrances = []
        super().__init__(queryset=None, **kwargs)

    def __deepcopy__(self, memo):
        result = super(forms.ChoiceField, self).__deepcopy__(memo)
        result.queryset = self.entrances
        return result

    @property
    def queryset(self):
        return self.entrances

    @queryset.setter
    def queryset(self, entrances) -> None:
        self.entrances = [] if entrances is None else list(entrances)
        self.widget.choices = self.choices

    def label_from_instance(self, obj) -> str:
        return obj.name  # the venue is on the page already

    def to_python(self, value):
        if value in self.empty_values:
            return None
        for entrance in self.entrances:
            if str(entrance.pk) == str(value):
                return entrance
        raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value})


class GuardLookupForm(forms.Form):
    """The visitor's IIN, or his passport number and country (R-ID-4), with his consent.

    The view never renders a bound copy of this form: whatever was typed is gone from
    the page after the answer (R-PR-6), so its errors carry no value either."""

    entrance = _EntranceField(label=_("Entrance"), empty_label=None)
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
        self.fields["entrance"].queryset = entrances  # read once into a list (prefetched: no query)
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


class GuardExitForm(forms.Form):
    """R-CI-6 Decided: the guard records an exit, by the visitor's IIN, or with the IIN
    left empty as one anonymous exit. The IIN is never rendered back (R-PR-6)."""

    entrance = _EntranceField(label=_("Entrance"), empty_label=None)
    iin = IINField(
        label=_("Visitor's IIN (optional)"),
        required=False,
        help_text=_("Leave it empty to record one exit of a visitor you do not name."),
    )

    def __init__(self, *args, entrances, **kwargs):
        kwargs.setdefault("auto_id", "id_exit_%s")  # beside the look-up form, on one page
        super().__init__(*args, **kwargs)
        self.fields["entrance"].queryset = entrances
        self.fields["iin"].widget.attrs.update({"data-clear": "", "enterkeyhint": "done"})


# --- The sanitary officers' reports (R-CI-3) -----------------------------------------------------

# The longest range one export may hold (as the statistics pages).
REPORT_MAX_DAYS = 92


class DoorReportFilter(forms.Form):
    """What the reports page and its export show: a range of local days (inclusive),
    part of a venue's name or address, a colour, and for national roles a region.
    Every field may be left empty."""

    start = forms.DateField(
        label=_("First day"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end = forms.DateField(
        label=_("Last day"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    venue = forms.CharField(label=_("Venue or address"), required=False, max_length=100)
    colour = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("red and yellow")), ("red", _("red only")), ("yellow", _("yellow only"))],
    )

    def __init__(self, *args, regions=None, **kwargs):
        super().__init__(*args, **kwargs)
        if regions is not None:
            self.fields["region"] = forms.ModelChoiceField(
                regions, to_field_name="code", required=False, label=_("Region"), empty_label=_("every region")
            )

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise ValidationError(_("The first day is after the last day."))
        if start and end and (end - start).days + 1 > REPORT_MAX_DAYS:
            raise ValidationError(_("Choose at most %(days)d days.") % {"days": REPORT_MAX_DAYS})
        data["venue"] = (data.get("venue") or "").strip()
        return data
