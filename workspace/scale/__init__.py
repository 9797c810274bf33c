"""The synthetic national network of ``manage.py seed_scale``: COPY helpers (``copying``),
German-looking Markdown (``text``) and the writers of each area (``world``)."""
