"""Reads of monitoring that other apps ask."""

from datetime import datetime


def has_active_exclusion(*, company, address: str, at: datetime) -> bool:
    """Whether `company`, or the venue at `address`, is excluded from the project at
    moment `at` (R-VN-3: an application of an excluded venue is refused).

    A hook for now: nobody is excluded. The Monitoring issue plugs the sanctions
    (R-MN-*) in here; venues.services.application_submit already calls it, so
    exclusions start refusing applications as soon as this answers True.
    """
    return False
