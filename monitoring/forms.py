"""Input of the monitoring pages, with messages in the user's language."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ashyq.validators import validate_name
from monitoring.models import ViolationKind
from monitoring.rules import MAX_PHOTOS

PHOTO_FIELDS = [f"photo{n}" for n in range(1, MAX_PHOTOS + 1)]


class VenueSearchForm(forms.Form):
    """R-MN-1: the inspector's search. Posted, never in a URL: a BIN typed here may be
    an individual entrepreneur's IIN, and a URL reaches the web server's access log."""

    q = forms.CharField(
        label=_("Name, BIN or address"),
        max_length=100,
        required=False,
        validators=[validate_name],
        widget=forms.TextInput(attrs={"type": "search"}),
    )


class ViolationForm(forms.Form):
    """R-MN-1: kind, time, description and up to 5 photos (checked by the service)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=ViolationKind.choices)
    occurred_at = forms.DateTimeField(
        label=_("When it happened"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    description = forms.CharField(label=_("Description"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n, name in enumerate(PHOTO_FIELDS, start=1):
            self.fields[name] = forms.FileField(
                label=_("Photo %(n)s") % {"n": n},
                required=False,
                widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
            )

    def photos_uploaded(self) -> list:
        """The files picked this time, whether the rest of the form is valid or not."""
        return [self.files[name] for name in PHOTO_FIELDS if self.files.get(name)]


class InspectionForm(forms.Form):
    """R-MN-1: inspected, nothing found — with a note if the inspector wants one."""

    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=2000)


class DecisionForm(forms.Form):
    """R-MN-1: the second inspector confirms or rejects."""

    decision = forms.ChoiceField(choices=[("confirm", _("Confirm")), ("reject", _("Reject"))], widget=forms.HiddenInput)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class AppealForm(forms.Form):
    """R-MN-5: the owner's appeal."""

    text = forms.CharField(label=_("Your appeal"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))


class AppealDecisionForm(forms.Form):
    """R-MN-5: the akimat upholds or cancels, with a reason."""

    decision = forms.ChoiceField(choices=[("uphold", _("Uphold")), ("cancel", _("Cancel the sanction"))])
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
