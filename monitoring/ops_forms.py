"""Forms of the monitoring operations pages: the operators' outage record (R-MN-6)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from monitoring.models import OutageKind

LOCAL_INPUT = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


def _moment(label):
    return forms.DateTimeField(
        label=label,
        input_formats=LOCAL_INPUT,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Local time (Almaty)."),
    )


class OutageForm(forms.Form):
    kind = forms.ChoiceField(label=_("What failed"), choices=OutageKind.choices)
    starts_at = _moment(_("From"))
    ends_at = _moment(_("To"))
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
