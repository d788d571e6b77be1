"""B1's floor: the database work of a guard's check-in and nothing else.

One read of the person's registry records (the three tables status_for reads, in one
statement) and one insert of a check-in, on the connection Django keeps; no session,
no form, no template, no middleware work beyond Django's own. B1 / floor is what the
rest of our stack costs. The IIN comes in the POST body (R-ID-5) and is stored only as
its blind index.
"""

from django.db import connection
from django.http import HttpResponse, HttpResponseBadRequest
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from statuses.persons import person_key

_READ = """
    SELECT 'p', positive::int, sampled_at FROM statuses_pcrresult WHERE person = %(p)s
    UNION ALL SELECT 'c', 0, registered_at FROM statuses_contact WHERE person = %(p)s
    UNION ALL SELECT 'v', dose, administered_on::timestamptz FROM statuses_vaccination WHERE person = %(p)s
"""
_INSERT = """
    INSERT INTO visitors_visit (venue_id, entrance_id, person, method, colour, entered_at)
    VALUES (%(venue)s, %(entrance)s, %(p)s, 'guard', %(colour)s, %(now)s)
"""


@csrf_exempt
@require_POST
def floor(request):
    iin, venue, entrance = request.POST.get("iin"), request.POST.get("venue"), request.POST.get("entrance")
    if not (iin and venue and entrance):
        return HttpResponseBadRequest("iin, venue, entrance")
    person = person_key(iin=iin)
    with connection.cursor() as cursor:
        cursor.execute(_READ, {"p": person})
        kinds = {row[0] for row in cursor.fetchall()}
        colour = "green" if kinds else "blue"
        cursor.execute(
            _INSERT,
            {"venue": int(venue), "entrance": int(entrance), "p": person, "colour": colour, "now": timezone.now()},
        )
    return HttpResponse(colour, content_type="text/plain")
