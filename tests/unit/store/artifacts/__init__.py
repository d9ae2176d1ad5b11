"""Tests of ardea.store.artifacts."""
