"""The local adapters: one SQLite file for jobs, completions, markers and queues, and a
folder for objects. Several processes may share them (WAL, busy timeout)."""
