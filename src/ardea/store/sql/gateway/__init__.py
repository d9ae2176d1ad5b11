"""The gateway management store (secrets, model definitions, endpoints, policies) in SQL."""
