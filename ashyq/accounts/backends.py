"""Django's ModelBackend, with the user of each signed-in request read by SQL written
once per process (the ORM's compilation of `User.objects.get(pk=…)` was a seventh of a
guard look-up's CPU, in the benchmark B1). Everything else — passwords, permissions,
inactive users refused — is Django's."""

import functools

from django.contrib.auth import backends, get_user_model
from django.db import connection

from ashyq.core import rows


class ModelBackend(backends.ModelBackend):
    def get_user(self, user_id):
        user_model = get_user_model()
        with connection.cursor() as cursor:
            cursor.execute(_user_sql(user_model), [user_id])
            row = cursor.fetchone()
        if row is None:
            return None
        user = rows.instance(user_model, row)
        return user if self.user_can_authenticate(user) else None


@functools.cache
def _user_sql(user_model) -> str:
    table = connection.ops.quote_name(user_model._meta.db_table)
    pk = connection.ops.quote_name(user_model._meta.pk.column)
    return f"SELECT {rows.columns(user_model, 'u')} FROM {table} u WHERE u.{pk} = %s"  # noqa: S608 (names from the model)
