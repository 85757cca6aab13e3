"""Storage layer: SQLite (through sqlite-utils) and content-addressed attachment files.

Threading rule: every write goes through ``Store.write`` and so runs on the store's single
writer thread; reads run on the caller's thread with that thread's own read connection. The
repository modules are plain functions taking the ``sqlite_utils.Database`` handed to them and
never open connections or threads of their own.
"""
