"""Forms of the monitoring operations pages: the operators' outage record (R-MN-6)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from monitoring.models import OutageKind
from monitoring.selectors import JOINED
from venues.models import StandingKind

LOCAL_INPUT = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


def _moment(label, *, required=True, help_text=None):
    return forms.DateTimeField(
        label=label,
        required=required,
        input_formats=LOCAL_INPUT,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=help_text or _("Local time (Almaty)."),
    )


class OutageForm(forms.Form):
    """R-MN-6: what failed and when; the end empty while the outage lasts."""

    kind = forms.ChoiceField(label=_("What failed"), choices=OutageKind.choices)
    starts_at = _moment(_("Began at"))
    ends_at = _moment(
        _("Ended at"), required=False, help_text=_("Local time (Almaty). Leave it empty while the outage lasts.")
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class ParticipantFilter(forms.Form):
    """The akimat's participant list: all that joined, or one standing (R-VN-9)."""

    standing = forms.ChoiceField(
        label=_("Standing"),
        required=False,
        choices=[("", _("every venue that joined"))] + [(k, label) for k, label in StandingKind.choices if k in JOINED],
    )
