"""One versioned text: the model, its write and restore services, its version pages.

Living results (``projects``) and guides (``network.guides``) are the same kind of text:
every save is a version, none is ever lost, a save names the revision it was based on and
a stale one is refused, restoring writes a new version, and some versions are hidden from
readers (drafts of a result, a guide while it was planned). This package holds that once;
each kind keeps its own fields, its own rule for hidden versions (stated once in the
kind's permissions module) and its own side effects around the shared service. The core
imports no app: the kinds fill the hooks of :class:`~workspace.versioning.models.VersionedText`.
"""
