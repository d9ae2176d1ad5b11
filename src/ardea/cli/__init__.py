"""The ``ardea`` command line. Heavy imports (FastAPI, SQLAlchemy) happen inside commands."""
