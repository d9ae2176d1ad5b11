"""Identity and access: who a caller is, and the policy pieces the server's door uses.

Modules (all pure of HTTP; they take an :class:`~ardea.store.auth.AuthStore`):

- :mod:`~ardea.auth.passwords`: argon2id hashing, the password policy, timing-equal misses.
- :mod:`~ardea.auth.tokens`: ``ardea_<kind>_<prefix>_<secret>`` API tokens (issue, verify,
  revoke); only the SHA-256 of a secret is stored.
- :mod:`~ardea.auth.sessions`: server-side login sessions with idle and absolute expiry and
  a per-session CSRF token (:class:`~ardea.auth.sessions.SessionManager`).
- :mod:`~ardea.auth.ratelimit`: failed logins per (username, address), in memory.
- :mod:`~ardea.auth.audit`: the audit record, with secrets scrubbed.
- :mod:`~ardea.auth.cache`: a short-lived cache of verified credentials, keyed by an HMAC of
  the credential, dropped for a user whenever that user's credentials change.
- :mod:`~ardea.auth.identity`: ``authenticate_basic`` and ``authenticate_token``.
- :mod:`~ardea.auth.accounts`: user management that audits and invalidates caches.
- :mod:`~ardea.auth.bootstrap`: the first admin, from the environment or a prompt.

Nothing here is imported by ``import ardea``.
"""
