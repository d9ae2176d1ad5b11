"""The scorer registry on the tracking database (tables and store)."""
