"""Sessions read from the cache, kept in the database (BENCHMARKS.md).

Every signed-in request reads its session: with Django's database sessions that is one
query, compiled by the ORM each time (about a tenth of a guard look-up's CPU). This
store is Django's `cached_db` (written to the database and the cache, read from the
cache, the database on a miss), with two changes:

- The cache is an optimisation only, as everywhere in Ashyq (ashyq.cache.cache_attempt):
  when Redis is down or hangs, reads fall back to the database and writes and deletes to
  the cache are skipped, quickly, instead of failing the request.
- A session stays in the cache at most SESSION_CACHE_SECONDS, then is read from the
  database again. Sign-out deletes it from both; if Redis failed at that very moment,
  the copy in the cache would live on for at most that long (SECURITY.md). The session's
  own end (ashyq.accounts.signals: a fixed moment after sign-in) holds in both.

Through Django's public API only: the cache from `caches`, the database through the
database store's own `load`, `save`, `exists` and `delete`, the session's data through
`items()` (a subclass reaching into cached_db's `_cache` or the database store's
`_get_session_from_db` would break silently with a Django upgrade).
"""

from django.conf import settings
from django.contrib.sessions.backends import cached_db, db
from django.core.cache import caches

from ashyq.cache import cache_attempt


class SessionStore(cached_db.SessionStore):
    @staticmethod
    def _store():
        return caches[settings.SESSION_CACHE_ALIAS]

    def _cache_seconds(self, **kwargs) -> int:
        return max(0, min(self.get_expiry_age(**kwargs), settings.SESSION_CACHE_SECONDS))

    def load(self):
        cache = self._store()
        data = cache_attempt(lambda: cache.get(self.cache_key))
        if data is not None:
            # The session's own end, not only the cache's expiry (a clock moved, a copy
            # written just before the end): what the database's expire_date would refuse.
            if self.get_expiry_age(expiry=data.get("_session_expiry")) <= 0:
                return {}
            return data
        data = db.SessionStore.load(self)  # {} when there is none or it has expired
        if data:
            # A signed-in session ends at the moment its data names (ashyq.accounts.signals),
            # the database's expire_date; the copy lives no longer than that.
            seconds = self._cache_seconds(expiry=data.get("_session_expiry"))
            cache_attempt(lambda: cache.set(self.cache_key, data, seconds))
        return data

    def save(self, must_create=False):
        db.SessionStore.save(self, must_create)
        data, seconds, cache = dict(self.items()), self._cache_seconds(), self._store()
        cache_attempt(lambda: cache.set(self.cache_key, data, seconds))

    def exists(self, session_key):
        cache = self._store()
        if session_key and cache_attempt(lambda: (self.cache_key_prefix + session_key) in cache, False):
            return True
        return db.SessionStore.exists(self, session_key)

    def delete(self, session_key=None):
        db.SessionStore.delete(self, session_key)
        session_key = session_key or self.session_key
        if session_key is not None:
            cache = self._store()
            cache_attempt(lambda: cache.delete(self.cache_key_prefix + session_key))
