"""Human review queues on the tracking database (tables and store)."""
