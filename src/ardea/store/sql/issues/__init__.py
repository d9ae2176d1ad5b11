"""MLflow's issues on the tracking database (tables and store)."""
