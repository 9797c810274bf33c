"""Co-editing of versioned texts (living results, guides): one shared Yjs document per text
and server process.

- :mod:`.kinds` names what differs per kind of text (model, state model, the kind's update
  service, its access check); the projects app registers results, the guides app guides.
- :mod:`.protocol` speaks the y-protocols wire format (sync, awareness, our control messages).
- :mod:`.rooms` holds the open documents of this process (one :class:`~.rooms.Room` per
  text), relays each update once to the other local sockets and once to the other
  processes, exchanges state vectors between processes, and schedules saves and versions.
- :mod:`.state` is the Yjs state as the kinds' own services need it (a form save becomes a
  diff in the shared document); :mod:`.services` is every database write of co-editing: the
  Yjs state row (seeded once, merged under a row lock) and the versions the rooms write
  through the kind's update service.
- :mod:`.consumers` is the websocket: checked like the edit page, no channel of its own.
- :mod:`.pages` is what an edit page needs to open the shared editor by default.
"""
