"""Transports: thin wrappers over pyserial, bleak and TCP sockets, each on its own thread."""
