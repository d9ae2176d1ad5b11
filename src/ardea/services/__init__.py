"""Server-side services between the wire and the stores (OTLP ingest, attribute mapping)."""
