"""The steering committee as OParl 1.1 (https://oparl.org), read-only, at ``/oparl/v1/``.

It publishes exactly the public part decided in :mod:`steering.public`, as an anonymous visitor
sees it on the pages, whoever asks: the network as the one Body; the committee and the teams of
public lead projects as Organizations; the seats as Memberships of Persons (a name only with the
person's consent, otherwise the municipality as on the pages); held meetings with their kind of
place as Location, their agenda items and approved minutes (a File, with its PDF from
steering.documents); adopted proposals as Papers with the Consultation that decided them, the
agreement's text as their main File and its PDF beside it. No
LegislativeTerm is defined: seats have terms of their own.

:mod:`steering.oparl.publish` builds that set and keeps :class:`steering.models.PublishedObject`
up to date with it on every request, so an object that leaves the public stays as OParl's stub
(``deleted: true``, fresh ``modified``); :mod:`steering.oparl.views` answers from those rows.
"""
