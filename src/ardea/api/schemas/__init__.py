"""Response schemas of the server's JSON answers, for the OpenAPI document only.

One module per resource. Each schema is a ``TypedDict`` (a key that the server leaves out when
it has no value is ``NotRequired``, never ``None``), so the document shows exactly the keys
the ``*_to_json`` serializers in :mod:`ardea.api` write, and the web UI's TypeScript types are
generated from it (``ui/src/api/__generated__/schema.ts``).

Documentation only: handlers answer ``orjson`` bytes and never validate or serialize through
these types; routes name them with ``rpc(..., response=Schema)`` (see ``server/README.md``).
"""
