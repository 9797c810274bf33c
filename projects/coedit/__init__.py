"""Co-editing of living results: one shared Yjs document per result and server process.

- :mod:`.protocol` speaks the y-protocols wire format (sync, awareness, our control messages).
- :mod:`.rooms` holds the open documents of this process (one :class:`~.rooms.Room` per
  result), relays each update once to the other local sockets and once to the other
  processes, exchanges state vectors between processes, and schedules saves and versions.
- :mod:`.services` is every database write: the Yjs state row (seeded once, merged under a
  row lock) and the versions that the rooms write into the result's history.
- :mod:`.consumers` is the websocket: checked like the edit page, no channel of its own.
"""
