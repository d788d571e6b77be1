"""`manage.py check`: the certificate keys are P-256 private keys (R-VP-4), or the app
says so at start instead of at the first certificate."""

from django.conf import settings
from django.core import checks

from vaccinations.certificates import KeyProblem, key_from_setting


@checks.register(checks.Tags.security)
def signing_key_checks(app_configs, **kwargs):
    found = []
    values = [("VACCINATION_SIGNING_KEY", settings.VACCINATION_SIGNING_KEY or "")]
    values += [
        ("VACCINATION_OLD_SIGNING_KEYS", v)
        for v in (settings.VACCINATION_OLD_SIGNING_KEYS or "").split(",")
        if v.strip()
    ]
    for setting, value in values:
        try:
            key_from_setting(value, setting=setting)
        except KeyProblem as exc:
            found.append(
                checks.Error(str(exc), hint="32 random bytes, url-safe base64 (docs/production.md).", id="ashyq.E101")
            )
    return found
