"""Shared vocabulary of Ardea: errors, environment variables, ids.

Imports nothing else from ardea.
"""
