"""Forms of the review (R-LD-3): strike a candidate, submit a list, record a decision."""

from django import forms
from django.utils.translation import gettext_lazy as _

from leaders.rules import decision_number


class StrikeForm(forms.Form):
    """Strike a candidate off the list with a reason, or put it back."""

    STRIKE, UNSTRIKE = "strike", "unstrike"

    action = forms.ChoiceField(choices=[(STRIKE, STRIKE), (UNSTRIKE, UNSTRIKE)], widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason for striking"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self):
        data = super().clean()
        if data.get("action") == self.STRIKE and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give the reason for striking this venue off the list."))
        return data

    def first_error(self) -> str:
        return next(str(message) for messages in self.errors.values() for message in messages)


class SubmitForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I have reviewed the list: submit it to the commission. It can no longer be changed."),
        error_messages={"required": _("Tick the box to confirm that the list is reviewed.")},
    )


class DecisionForm(forms.Form):
    number = forms.CharField(label=_("Number of the decision"), max_length=50)
    date = forms.DateField(
        label=_("Date of the decision"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def clean_number(self) -> str:
        number = decision_number(self.cleaned_data["number"])
        if not number:
            raise forms.ValidationError(_("Enter the number of the decision."))
        return number
