"""The citizen's passport (R-VP-4) and his self-entry (R-VP-3), under /me/vaccinations/."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from ashyq.identifiers import parse_iin
from vaccinations import documents, rules, selectors, services
from vaccinations.forms import SelfEntryForm
from visitors.views import citizen_page


@never_cache
@require_GET
@citizen_page
def passport(request):
    """Every dose, whether a scheme is complete, the self-entries that do not count (yet),
    and the certificate as a QR code, its text and a PDF."""
    card = selectors.passport_for(iin=request.user.iin, now=timezone.now())
    family, given = rules.holder_name(card.doses)
    context = {
        "passport": card,
        "holder": " ".join(filter(None, [family, given])),
        "birth_date": parse_iin(request.user.iin).birth_date,
        "qr": documents.qr_data_uri(card.certificate) if card.certificate else "",
    }
    return render(request, "vaccinations/passport.html", context)


@never_cache
@require_GET
@citizen_page
def certificate_pdf(request):
    card = selectors.passport_for(iin=request.user.iin, now=timezone.now())
    if not card.certificate:
        raise Http404
    family, given = rules.holder_name(card.doses)
    pdf = documents.certificate_pdf(
        text=card.certificate,
        passport=card,
        holder=" ".join(filter(None, [family, given])) or "—",
        birth_date=parse_iin(request.user.iin).birth_date,
        verify_url=settings.PUBLIC_URL + reverse("verify:verify"),
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="vaccination-certificate.pdf"'
    return response


@require_http_methods(["GET", "POST"])
@citizen_page
def self_entry(request):
    """R-VP-3: a dose entered by the citizen with a photo; pending until confirmed."""
    form = SelfEntryForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.self_entry_submit(citizen=request.user, now=timezone.now(), **data)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Sent. It counts once a medical worker of the region confirms it."))
            return redirect("vaccinations_me:passport")
    return render(request, "vaccinations/self_entry.html", {"form": form}, status=400 if form.errors else 200)
