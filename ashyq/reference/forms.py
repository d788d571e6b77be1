from django import forms
from django.utils.translation import gettext_lazy as _

from ashyq.reference.models import Zone


class ZoneChangeForm(forms.Form):
    zone = forms.ChoiceField(label=_("Zone"), choices=Zone.choices, widget=forms.RadioSelect)
    effective_from = forms.DateField(label=_("Effective from"), widget=forms.DateInput(attrs={"type": "date"}))
