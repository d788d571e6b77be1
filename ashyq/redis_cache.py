"""Django's Redis cache backend, with one Redis client per connection pool.

Django 5.2's RedisCacheClient builds a new `redis.Redis` object for every cache call
(`get_client` → `Redis(connection_pool=pool)`), and building one copies redis-py's
table of ~170 response callbacks: about 0.1 ms of CPU per call, three or four calls per
guard look-up (issue 9, B1; seen in cProfile as redis/client.py `__init__`). A client
is only a handle on its pool, which is thread-safe, so one per pool serves every call
of the process. Nothing else changes: same pools, options, serializer and keys.
"""

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
