"""Signed updates (docs/UPDATES.md): the start-up dispatch (``launch``, standard library only),
the TUF client that stages a new version (``client``) and the service that runs it in the
background (``service``). Nothing is imported here: main.py imports ``launch`` before anything
heavy, and this package must stay that cheap to import.
"""
