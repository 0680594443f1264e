"""Sessions in the database with Redis in front, that keep working while Redis is down.

Django's cached_db engine already survives a failed cache *write* on save, but a cache outage still breaks reading
a session that is not cached yet, creating a session key and logging out (``load``, ``exists`` and ``delete`` call
the cache unguarded). Here each of those falls back to the database and logs the cache error, so pages and logins
go on during a Redis outage; the cache fills again when Redis is back.
"""

from __future__ import annotations

import logging

from django.contrib.sessions.backends import cached_db

log = logging.getLogger("django.contrib.sessions")


class SessionStore(cached_db.SessionStore):
    def load(self):
        try:
            data = self._cache.get(self.cache_key)
        except Exception:
            log.warning("session cache unreachable: reading the session from the database", exc_info=True)
            data = None
        if data is not None:
            return data
        stored = self._get_session_from_db()
        if not stored:
            return {}
        data = self.decode(stored.session_data)
        try:
            self._cache.set(self.cache_key, data, self.get_expiry_age(expiry=stored.expire_date))
        except Exception:
            log.warning("session cache unreachable: session not cached", exc_info=True)
        return data

    def exists(self, session_key):
        try:
            if session_key and (self.cache_key_prefix + session_key) in self._cache:
                return True
        except Exception:
            log.warning("session cache unreachable: checking the database only", exc_info=True)
        return bool(session_key) and super(cached_db.SessionStore, self).exists(session_key)

    def delete(self, session_key=None):
        session_key = session_key or self.session_key
        super(cached_db.SessionStore, self).delete(session_key)  # the database row
        if session_key is None:
            return
        try:
            self._cache.delete(self.cache_key_prefix + session_key)
        except Exception:
            # Logged out while Redis is down: the browser's cookie is deleted and the database row is gone, but a
            # Redis that comes back *with its data* still holds the copy until it expires (at most the session
            # age). Production Redis keeps nothing on disk (DEPLOY.md), so after an outage the copy is gone too.
            log.warning("session cache unreachable: cached copy of a deleted session not removed", exc_info=True)
