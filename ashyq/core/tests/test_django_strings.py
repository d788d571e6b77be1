"""Django's messages we translate ourselves (ashyq/core/django_strings.py) are spelt as
Django spells them today, and read in Kazakh on a Kazakh page, not in Russian."""

import re
from pathlib import Path

import django
import pytest
from django.utils import translation

from ashyq.core.django_strings import MESSAGES, PLURALS

DJANGO = Path(django.__file__).parent
CATALOGUES = ("conf/locale/en/LC_MESSAGES/django.po", "contrib/auth/locale/en/LC_MESSAGES/django.po")


def _django_msgids() -> set[str]:
    found = set()
    for catalogue in CATALOGUES:
        text = (DJANGO / catalogue).read_text(encoding="utf-8")
        for block in re.findall(r'^msgid ((?:".*"\n)+)', text, flags=re.M):
            found.add("".join(re.findall(r'"(.*)"', block)).replace('\\"', '"'))
    return found


def test_every_string_is_one_of_djangos():
    msgids = _django_msgids()
    missing = [m for m in [*MESSAGES, *(single for single, _plural in PLURALS)] if m not in msgids]
    assert not missing, f"Django spells these differently now: copy them again {missing}"


@pytest.mark.parametrize("message", MESSAGES)
def test_each_message_reads_in_kazakh_not_in_russian(message):
    with translation.override("ru"):
        russian = translation.gettext(message)
    with translation.override("kk"):
        kazakh = translation.gettext(message)
    assert kazakh != russian and kazakh != message


@pytest.mark.parametrize(("single", "plural"), PLURALS)
def test_each_plural_reads_in_kazakh(single, plural):
    with translation.override("ru"):
        russian = translation.ngettext(single, plural, 5)
    with translation.override("kk"):
        kazakh = translation.ngettext(single, plural, 5)
    assert kazakh != russian and kazakh != plural
