"""The Ardea server: a FastAPI app speaking MLflow's tracking and artifact REST wire.

Build one with :func:`ardea.server.app.create_app` and a :class:`ardea.server.deps.ServerDeps`;
``ardea server`` (``ardea.cli``) does that from command-line options.
"""
