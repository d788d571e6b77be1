"""Template helpers of the review pages: a candidate's flags in words with their
figures, and the last day of a leader's status."""

from datetime import date, timedelta

from django import template
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from leaders.rules import leader_dates

register = template.Library()


class _Figures(dict):
    """A flag's figures; one missing from an older row reads "?" rather than failing."""

    def __missing__(self, key: str) -> str:
        return "?"


def _number(value) -> str:
    if isinstance(value, float) and not value.is_integer():
        return number_format(value, decimal_pos=1, force_grouping=True)
    return number_format(int(value or 0), force_grouping=True)


def _day(value) -> str:
    try:
        return date_format(date.fromisoformat(str(value)), "j E Y")
    except ValueError:
        return str(value) if value else "?"


@register.simple_tag
def describe_flag(flag: dict) -> str:
    """One suspicious count (R-LD-1's flags) as a sentence with its figures."""
    kind = flag.get("kind")
    figures = _Figures((key, _number(value)) for key, value in flag.items() if isinstance(value, int | float))
    if kind == "over_capacity":
        return (
            _(
                "More check-ins than the venue can hold: %(checkins)s, while %(capacity)s places × %(days)s days × "
                "%(turnovers_per_day)s turnovers a day make at most %(limit)s."
            )
            % figures
        )
    if kind == "burst":
        return _(
            "A burst on %(day)s: %(checkins)s check-ins in one day, more than %(factor)s times the usual day "
            "(%(median_day)s)."
        ) % _Figures(figures, day=_day(flag.get("day")))
    if kind == "out_of_hours":
        return (
            _("%(checkins)s of %(total)s check-ins (%(percent)s %%) were outside the permitted working hours.")
            % figures
        )
    if kind == "mostly_guard":
        return (
            _(
                "%(by_guard)s of %(checkins)s check-ins (%(percent)s %%) were typed on the guard page, not scanned "
                "by visitors: a typed IIN may be invented."
            )
            % figures
        )
    if kind == "guard_over_capacity":
        return (
            _(
                "%(lookups)s guard look-ups, more than %(capacity)s places × %(days)s days × 3 turnovers a day "
                "(%(limit)s) could hold."
            )
            % figures
        )
    return _("Unusual count: %(kind)s") % {"kind": kind}


@register.filter
def last_day(ends_on: date) -> date:
    """A Leader's `ends_on` is exclusive: the last day with the status is the day before."""
    return ends_on - timedelta(days=1)


@register.filter
def leader_last_day(decision_date: date) -> date:
    """R-LD-3: the last day of the status given by a decision of `decision_date`."""
    return last_day(leader_dates(decision_date)[1])
