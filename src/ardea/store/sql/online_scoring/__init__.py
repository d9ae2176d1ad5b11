"""Online scoring work rows (one per sampled trace and scorer version) in SQL."""
