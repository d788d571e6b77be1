"""Django's own messages that our pages show (the owner's sign-up, the forms' field
errors) and that Django's Kazakh catalogue leaves untranslated: a page in Kazakh then
fell back to Russian, the default language, in the middle of a sentence.

Nothing here runs. The strings are written out, exactly as Django spells them, so that
`makemessages` puts them in our catalogues (locale/, read before Django's), where they
have their Kazakh (and Russian and English) translations. When Django changes one of
them, ashyq/core/tests/test_django_strings.py fails until it is copied here again.
"""

from django.utils.translation import gettext_noop, ngettext

# (single, plural) for the plural forms, single strings alone.
MESSAGES = (
    # django/core/validators.py and django/forms/fields.py
    gettext_noop("Enter a valid email address."),
    gettext_noop("Enter a valid integer."),
    gettext_noop("Enter a valid UUID."),
    gettext_noop("Null characters are not allowed."),
    # django/contrib/auth/models.py, validators.py and forms.py
    gettext_noop("Required. 150 characters or fewer. Letters, digits and @/./+/-/_ only."),
    gettext_noop("email address"),
    gettext_noop("Email"),
    gettext_noop("Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters."),
    gettext_noop("The two password fields didn’t match."),
    gettext_noop("Enter the same password as before, for verification."),
    gettext_noop("Please enter a correct %(username)s and password. Note that both fields may be case-sensitive."),
    # django/contrib/auth/password_validation.py
    gettext_noop("The password is too similar to the %(verbose_name)s."),
    gettext_noop("Your password can’t be too similar to your other personal information."),
    gettext_noop("This password is too common."),
    gettext_noop("Your password can’t be a commonly used password."),
    gettext_noop("This password is entirely numeric."),
    gettext_noop("Your password can’t be entirely numeric."),
)


def _plurals(n: int) -> list[str]:  # pragma: no cover (never called: read by makemessages)
    return [
        ngettext(
            "Ensure this value has at least %(limit_value)d character (it has %(show_value)d).",
            "Ensure this value has at least %(limit_value)d characters (it has %(show_value)d).",
            n,
        ),
        ngettext(
            "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
            "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
            n,
        ),
        ngettext(
            "This password is too short. It must contain at least %d character.",
            "This password is too short. It must contain at least %d characters.",
            n,
        ),
        ngettext(
            "Your password must contain at least %(min_length)d character.",
            "Your password must contain at least %(min_length)d characters.",
            n,
        ),
    ]


PLURALS = (
    (
        "Ensure this value has at least %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at least %(limit_value)d characters (it has %(show_value)d).",
    ),
    (
        "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
    ),
    (
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
    ),
    (
        "Your password must contain at least %(min_length)d character.",
        "Your password must contain at least %(min_length)d characters.",
    ),
)
