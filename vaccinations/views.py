"""The medical worker's pages (R-VP-2, R-VP-3): his records, a person's doses entered by
him and a new one, a correction, and his region's self-entries to confirm or reject.

Privacy (R-ID-5): an IIN or passport number travels in a POST body only; the person's
page is rendered in answer to the POST that names him, never reached by a URL.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from ashyq.accounts.access import role_required
from ashyq.accounts.models import Role
from ashyq.crypto import masked
from vaccinations import selectors, services
from vaccinations.forms import ConfirmForm, DoseForm, PersonForm, RejectForm
from vaccinations.services import Person

PER_PAGE = 50


def _errors(form, error: ValidationError) -> None:
    for message in error.messages:
        form.add_error(None, message)


@require_GET
@role_required(Role.MEDIC)
def medic_home(request):
    """His records, newest first, and how many self-entries of his region wait."""
    page = Paginator(selectors.entries_of_medic(request.user), PER_PAGE).get_page(request.GET.get("page"))
    waiting = selectors.pending_for(request.user).count()
    return render(request, "vaccinations/medic_home.html", {"page": page, "waiting": waiting})


def _person_page(request, person: Person, *, dose_form=None, status=200):
    """The person's doses entered or confirmed by this medical worker, and the form for a new one."""
    context = {
        "who": masked(person.identifier),
        "entries": selectors.entries_of_medic_for(request.user, person.key),
        "person_form": PersonForm(
            initial={"iin": person.iin, "passport": person.passport, "country": person.country}, hidden=True
        ),
        "dose_form": dose_form or DoseForm(),
    }
    return render(request, "vaccinations/medic_person.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
@role_required(Role.MEDIC)
def medic_person(request):
    """Find a person by IIN or passport (POST), then record a dose of his (POST again)."""
    person_form = PersonForm(request.POST or None)
    if request.method == "GET" or not person_form.is_valid():
        if person_form.is_bound:  # R-ID-5: the refused identifier is not printed back
            person_form.data = {key: "" for key in ("iin", "passport", "country")}
        status = 400 if person_form.is_bound else 200
        return render(request, "vaccinations/medic_find.html", {"form": person_form}, status=status)
    person = Person(**{key: person_form.cleaned_data[key] for key in ("iin", "passport", "country")})
    if request.POST.get("action") != "record":
        return _person_page(request, person)
    dose_form = DoseForm(request.POST)
    if dose_form.is_valid():
        try:
            entry = services.vaccination_record(
                medic=request.user, person=person, now=timezone.now(), **dose_form.cleaned_data
            )
        except ValidationError as exc:
            _errors(dose_form, exc)
        else:
            messages.success(
                request,
                _("Recorded: %(vaccine)s, dose %(n)d of %(m)d.")
                % {"vaccine": entry.vaccine.name, "n": entry.dose, "m": entry.vaccine.doses},
            )
            return _person_page(request, person)
    return _person_page(request, person, dose_form=dose_form, status=400)


@require_http_methods(["GET", "POST"])
@role_required(Role.MEDIC)
def medic_correct(request, pk: int):
    """R-VP-2: his own record, corrected; the old one is kept and its certificate revoked."""
    entry = selectors.entry_for_medic(request.user, pk)
    if not services.can_correct(request.user, entry):
        raise Http404  # corrected already: the new record is the one to correct
    initial = {
        "vaccine": entry.vaccine,
        "dose": entry.dose,
        "administered_on": entry.administered_on,
        "family_name": entry.family_name,
        "given_name": entry.given_name,
    }
    form = DoseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.vaccination_correct(medic=request.user, entry=entry, now=timezone.now(), **form.cleaned_data)
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("The record is corrected; the old certificate is revoked."))
            return redirect("vaccinations:medic_home")
    context = {"entry": entry, "who": masked(entry.identifier), "form": form}
    return render(request, "vaccinations/medic_correct.html", context, status=400 if form.errors else 200)


@require_GET
@role_required(Role.MEDIC)
def pending_list(request):
    """R-VP-3: the self-entries waiting for a medical worker of his region, oldest first."""
    page = Paginator(selectors.pending_for(request.user), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "vaccinations/pending_list.html", {"page": page})


@require_http_methods(["GET", "POST"])
@role_required(Role.MEDIC)
def pending_decide(request, pk: int):
    """R-VP-3: one self-entry with its document; confirm (with the name) or reject (with why)."""
    entry = selectors.pending_entry_for(request.user, pk)
    initial = {"family_name": entry.family_name, "given_name": entry.given_name}
    confirm = ConfirmForm(request.POST if request.POST.get("decision") == "confirm" else None, initial=initial)
    reject = RejectForm(request.POST if request.POST.get("decision") == "reject" else None)
    form = confirm if confirm.is_bound else reject if reject.is_bound else None
    if request.method == "POST" and form is not None and form.is_valid():
        now = timezone.now()
        try:
            if form is confirm:
                services.self_entry_confirm(medic=request.user, entry=entry, now=now, **form.cleaned_data)
                messages.success(request, _("Confirmed: the dose counts from now on."))
            else:
                services.self_entry_reject(medic=request.user, entry=entry, now=now, **form.cleaned_data)
                messages.success(request, _("Rejected; the citizen sees why."))
        except ValidationError as exc:
            _errors(form, exc)
        else:
            return redirect("vaccinations:pending_list")
    context = {"entry": entry, "who": masked(entry.identifier), "confirm": confirm, "reject": reject}
    status = 400 if request.method == "POST" else 200
    return render(request, "vaccinations/pending_decide.html", context, status=status)


@require_GET
@role_required(Role.MEDIC)
def pending_document(request, pk: int):
    """The document photo of a pending self-entry, to the medical workers of its region only."""
    entry = selectors.pending_entry_for(request.user, pk)
    if not entry.document:
        raise Http404
    response = FileResponse(entry.document.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    return response
