"""Identity and access: who a caller is, and the policy pieces the server's door uses.

Modules (pure of the web framework; they take an :class:`~ardea.store.auth.AuthStore`; only
:mod:`~ardea.auth.oidc` makes HTTP calls, to the identity provider):

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
- :mod:`~ardea.auth.oidc`: OpenID Connect single sign-on (``authlib``): discovery, PKCE,
  the code exchange, ID token validation; :mod:`~ardea.auth.oidc_state` seals a login's
  state in a cookie; :mod:`~ardea.auth.oidc_users` turns claims into a user and its roles.

What the server's door calls per request (one object of each, built at start)::

    store = backend.require_auth()
    limiter = LoginRateLimiter()                       # failed Basic logins
    basic_cache: CredentialCache[Principal] = CredentialCache(60)
    token_cache: CredentialCache[Principal] = CredentialCache(5)
    sessions = SessionManager(store)

    # Authorization: Basic  -> authenticate_basic(store, user, pw, ip, limiter=..., cache=...)
    # Authorization: Bearer -> authenticate_token(store, token, cache=...), then
    #                          store.touch_token(p.token.id, now) off the request path
    # Cookie ardea_session  -> sessions.session_from_cookie(value) -> (user, csrf) | None,
    #                          and csrf_matches(csrf, request header X-CSRF-Token) on unsafe
    #                          methods
    # Authorization checks  -> store.grants_for(user.id, type, id, workspace), one query;
    #                          fold with GrantSet.resource_level / workspace_level
    # At start              -> ensure_admin(store, prompt=...) when auth is on

The server builds one of each at start, in ``ardea.server.auth_runtime.AuthRuntime`` (on
``ServerRuntime.auth``, None without ``--auth``). Nothing here is imported by ``import ardea``.
"""
