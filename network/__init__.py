"""The network around the lead projects.

One Django app per capability, so each keeps its own models and migrations: ``joining`` (join
requests, invitations, yearly classes), ``guides`` (Leitfäden and Vokabelheft), ``dates``
(Klassentreffen and Pausenhof), ``newsletter`` (the Schülerzeitung). They depend on ``projects`` and ``workspace``, never the other
way round.
"""
