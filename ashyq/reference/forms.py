from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from ashyq.reference.models import Zone


class ZoneChangeForm(forms.Form):
    zone = forms.ChoiceField(label=_("Zone"), choices=Zone.choices, widget=forms.RadioSelect)
    # An <input type=date> holds ISO dates only: a localised value ("07.12.2026") would
    # leave it empty.
    effective_from = forms.DateField(
        label=_("Effective from"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, earliest: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.earliest = earliest

    def clean_effective_from(self):
        # R-REF-2: a zone takes effect from a date; setting one in the past would change,
        # after the fact, the admissions and benefits already decided under the old one.
        day = self.cleaned_data["effective_from"]
        if self.earliest and day < self.earliest:
            raise forms.ValidationError(_("A zone can be set from today on, not for past days."))
        return day
