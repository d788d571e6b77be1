"""Checks of free text typed by people, shared by the apps' forms."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# C0 control characters and DEL, line breaks and tabs included: a name is one line.
# One in a venue's name broke the e-mail header it went into (R-CI-3), and a NUL
# is refused by PostgreSQL.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# In a longer text (a description, a reason) line breaks and tabs are fine.
_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def validate_name(value: str) -> None:
    """A name, address or search: one line, no control characters."""
    if _CONTROL.search(value or ""):
        raise ValidationError(
            _("Use letters, digits and punctuation only: line breaks and control characters are not allowed."),
            code="control_characters",
        )


def validate_text(value: str) -> None:
    """A longer text: line breaks allowed, other control characters not."""
    if _CONTROL_IN_TEXT.search(value or ""):
        raise ValidationError(_("The text holds control characters. Type it again."), code="control_characters")


def single_line(value: str) -> str:
    """`value` on one line (an e-mail subject): whitespace runs, line breaks included, as one space."""
    return " ".join(_CONTROL.sub(" ", value or "").split())
