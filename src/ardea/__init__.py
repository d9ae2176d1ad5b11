"""Ardea."""
