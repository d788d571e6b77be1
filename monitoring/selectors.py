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


def venue_excluded(*, venue, at: datetime) -> bool:
    """Whether `venue` is excluded from the project at moment `at` (R-MN-4): its QR
    codes stop working and check-ins at it are refused (R-CI-7).

    A hook for now: nobody is excluded. The Monitoring issue plugs the exclusions
    (R-MN-3) in here; visitors.services already refuses every scan and guard entry
    of a venue for which this answers True.
    """
    return False
