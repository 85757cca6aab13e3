"""The reference hub: an ASGI service over PostgreSQL (or SQLite for demo and development)
that spokes sync with. See docs/SYNC.md for the protocol."""
