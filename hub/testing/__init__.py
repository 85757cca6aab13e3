"""Helpers for testing and benchmarking the hub (a private PostgreSQL cluster)."""
