from django.db.models import QuerySet

from venues.models import Venue


def venues_for_owner(user) -> QuerySet[Venue]:
    """The venues of the companies `user` owns — nobody else's."""
    return Venue.objects.filter(company__owner=user).select_related("region", "category")
