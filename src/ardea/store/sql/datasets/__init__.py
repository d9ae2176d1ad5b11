"""Evaluation datasets in SQL: metadata, versioned records, tags, experiment links."""
