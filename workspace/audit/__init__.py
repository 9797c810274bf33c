"""The security log: who logged in, who failed to, whose rights changed, what left the
workspace. A sub-app of the core with its own label (``audit``); the higher apps write to it
through :func:`workspace.audit.services.security_log` or through model signals they never
have to know about (``workspace.audit.signals``)."""
