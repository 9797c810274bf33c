"""Attachments of versioned texts (results and guides): what a file is, whether it is clean,
what text it holds, and the model every kind of attachment shares.

- **Type by content**, never by name or the browser's word, against an allow-list: PDF, ODF
  and OOXML (by the archive's own ``mimetype`` entry or ``[Content_Types].xml``), CSV and plain
  text (valid UTF-8 without NUL), PNG, JPEG. SVG is stored only as a download (never shown
  inline, never as an image in a text). Anything else is refused.
- **Scanned by ClamAV** when ``CLAMD_ADDRESS`` is set (``host:port`` or a socket path), over
  clamd's INSTREAM protocol. Until clamd has said "clean" a file is held back as *in Prüfung*:
  also while clamd cannot be reached — the office is told, and ``attachments_recheck`` (the
  worker, every few minutes) releases it once clamd answers. A file clamd finds is refused,
  nothing of it stays stored, and the office is told.
- **Removed, never deleted**: removal hides an attachment from the current version; the
  versions it belonged to keep it (``present_between``), and a replacement points at the file
  it replaced.
"""

from __future__ import annotations

import io
import re
import socket
import struct
import zipfile
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from workspace.forms import KernFormMixin

MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024
IMAGE_TYPES = ("image/png", "image/jpeg")

PDF = "application/pdf"
ODF_TYPES = {
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
    "application/vnd.oasis.opendocument.graphics",
}
OOXML_TYPES = {
    "word": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
SVG = "image/svg+xml"
CSV = "text/csv"
TEXT = "text/plain"

# What the page says is allowed (one place for the form's help and the refusal).
ALLOWED_DESCRIPTION = _(
    "Erlaubt sind PDF, OpenDocument (ODT, ODS, ODP), Word, Excel und PowerPoint (OOXML), CSV und "
    "Text (UTF-8), PNG und JPEG; SVG nur zum Herunterladen. Höchstens 25 MB."
)


def _zip_type(data: bytes) -> str | None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        if "mimetype" in names:
            declared = archive.read("mimetype").decode("ascii", "replace").strip()
            return declared if declared in ODF_TYPES else None
        if "[Content_Types].xml" in names:
            for folder, content_type in OOXML_TYPES.items():
                if any(name.startswith(f"{folder}/") for name in names):
                    return content_type
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, ValueError):
        return None
    return None


def _is_text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _looks_like_csv(text: str) -> bool:
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    if len(lines) < 2:
        return False
    for separator in (";", ",", "\t"):
        counts = {line.count(separator) for line in lines}
        if len(counts) == 1 and counts != {0}:
            return True
    return False


def content_type_of(data: bytes) -> str | None:
    """The allowed type ``data`` is, read from its content; None: not one we take."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"PK\x03\x04"):
        return _zip_type(data)
    if _is_text(data):
        text = data.decode("utf-8").lstrip("\ufeff")
        if re.match(
            r"\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*(<!DOCTYPE svg[^>]*>\s*)?<svg[\s>]", text, re.S
        ):
            return SVG
        return CSV if _looks_like_csv(text) else TEXT
    return None


def read_upload(upload) -> bytes:
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError(_("Die Datei ist größer als 25 MB."))
    return b"".join(upload.chunks())


# What a name's extension promises; a file whose content is something else is refused (a PNG
# named ".pdf" is no PDF, whatever the browser says).
EXTENSIONS = {
    "pdf": {PDF},
    "png": {"image/png"},
    "jpg": {"image/jpeg"},
    "jpeg": {"image/jpeg"},
    "odt": {"application/vnd.oasis.opendocument.text"},
    "ods": {"application/vnd.oasis.opendocument.spreadsheet"},
    "odp": {"application/vnd.oasis.opendocument.presentation"},
    "odg": {"application/vnd.oasis.opendocument.graphics"},
    "docx": {OOXML_TYPES["word"]},
    "xlsx": {OOXML_TYPES["xl"]},
    "pptx": {OOXML_TYPES["ppt"]},
    "csv": {CSV, TEXT},
    "txt": {TEXT, CSV},
    "md": {TEXT, CSV},
    "svg": {SVG},
}
TYPE_NAMES = {
    PDF: "PDF",
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    SVG: "SVG",
    CSV: "CSV",
    TEXT: _("Text"),
    **{t: "OpenDocument" for t in ODF_TYPES},
    **{t: "OOXML" for t in OOXML_TYPES.values()},
}


def check_type(data: bytes, name: str = "") -> str:
    """The content type of an upload, read from its content; a ValidationError if it is none
    we take, or not what its name says it is."""
    content_type = content_type_of(data)
    if content_type is None:
        raise ValidationError(
            _(
                "Diese Datei ist keiner der erlaubten Dateitypen (geprüft am Inhalt, nicht am "
                "Namen). %(allowed)s"
            )
            % {"allowed": ALLOWED_DESCRIPTION}
        )
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension in EXTENSIONS and content_type not in EXTENSIONS[extension]:
        raise ValidationError(
            _(
                "„%(name)s“ ist dem Inhalt nach keine %(extension)s-Datei, sondern %(kind)s "
                "(geprüft am Inhalt, nicht am Namen). Bitte laden Sie die richtige Datei hoch "
                "oder geben Sie ihr den passenden Namen."
            )
            % {"name": name, "extension": extension.upper(), "kind": TYPE_NAMES[content_type]}
        )
    return content_type


# --- ClamAV ---------------------------------------------------------------------------------


class ScannerUnavailable(Exception):
    """clamd could not be asked (not running, refused, timed out, or answered nonsense)."""


@dataclass(frozen=True)
class Verdict:
    clean: bool
    signature: str = ""


def scanner_configured() -> bool:
    return bool(getattr(settings, "CLAMD_ADDRESS", ""))


def _connect() -> socket.socket:
    address = settings.CLAMD_ADDRESS
    timeout = getattr(settings, "CLAMD_TIMEOUT_SECONDS", 30)
    try:
        if address.startswith("/"):
            connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            connection.settimeout(timeout)
            connection.connect(address)
            return connection
        host, _sep, port = address.rpartition(":")
        return socket.create_connection((host, int(port)), timeout=timeout)
    except OSError as error:
        raise ScannerUnavailable(str(error)) from error


CHUNK = 64 * 1024


def scan(data: bytes) -> Verdict:
    """Ask clamd about ``data`` (INSTREAM: length-prefixed chunks, a zero-length end).

    clamd's ``StreamMaxLength`` must be above the upload limit (25 MB), or it answers "size
    limit exceeded", which counts as unavailable here: the file waits, it is not let through.
    """
    try:
        with _connect() as connection:
            connection.sendall(b"zINSTREAM\0")
            for start in range(0, len(data), CHUNK):
                chunk = data[start : start + CHUNK]
                connection.sendall(struct.pack("!L", len(chunk)) + chunk)
            connection.sendall(struct.pack("!L", 0))
            answer = b""
            while not answer.endswith(b"\0"):
                part = connection.recv(4096)
                if not part:
                    break
                answer += part
    except OSError as error:
        raise ScannerUnavailable(str(error)) from error
    reply = answer.rstrip(b"\0").decode("utf-8", "replace").strip()
    # "stream: OK", "stream: Eicar-Signature FOUND", "INSTREAM size limit exceeded. ERROR"
    if reply.endswith(" OK"):
        return Verdict(clean=True)
    if reply.endswith(" FOUND"):
        return Verdict(clean=False, signature=reply.split(": ", 1)[-1].removesuffix(" FOUND"))
    raise ScannerUnavailable(reply or "no answer")


# --- Text for the search --------------------------------------------------------------------

MAX_TEXT_CHARACTERS = 200_000


def _odf_text(data: bytes) -> str:
    from lxml import etree

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        root = etree.fromstring(
            archive.read("content.xml"),
            parser=etree.XMLParser(resolve_entities=False, no_network=True),
        )
    return " ".join(text.strip() for text in root.itertext() if text.strip())


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return "\n".join((page.extract_text() or "") for page in reader.pages[:200])


def extract_text(data: bytes, content_type: str) -> str:
    """The words of a PDF, ODF or plain-text attachment (for the search); "" for others or on
    a file that cannot be read."""
    try:
        if content_type == PDF:
            text = _pdf_text(data)
        elif content_type in ODF_TYPES:
            text = _odf_text(data)
        elif content_type in (TEXT, CSV):
            text = data.decode("utf-8", "replace")
        else:
            return ""
    except Exception:  # noqa: BLE001 – a file that will not parse is simply not searchable
        return ""
    return text.replace("\x00", "")[:MAX_TEXT_CHARACTERS]


# --- The model every kind of attachment shares ----------------------------------------------


class AttachmentQuerySet(models.QuerySet):
    def current(self) -> AttachmentQuerySet:
        """Attachments of the current version: not removed (in Prüfung included)."""
        return self.filter(removed_at__isnull=True)

    def clean(self) -> AttachmentQuerySet:
        return self.filter(status=Attachment.Status.CLEAN)

    def pending(self) -> AttachmentQuerySet:
        return self.filter(status=Attachment.Status.PENDING)

    def present_between(self, start, end) -> AttachmentQuerySet:
        """Attachments that belonged to the text at some time from ``start`` to ``end`` (a
        version's date and its successor's, ``None``: still current)."""
        rows = self.filter(models.Q(removed_at__isnull=True) | models.Q(removed_at__gt=start))
        return rows if end is None else rows.filter(uploaded_at__lt=end)


class Attachment(models.Model):
    """A file of a versioned text; subclassed per kind with its ``owner`` foreign key."""

    class Status(models.TextChoices):
        PENDING = "pending", _("in Prüfung")
        CLEAN = "clean", _("geprüft")

    name = models.CharField(_("Name"), max_length=200)
    size = models.PositiveBigIntegerField(_("Größe in Bytes"))
    sha256 = models.CharField(max_length=64)
    content_type = models.CharField(max_length=100, blank=True)
    status = models.CharField(_("Prüfung"), max_length=8, choices=Status, default=Status.CLEAN)
    # For the search: the words of a PDF, ODF or text file.
    text = models.TextField(_("Text"), blank=True, default="")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(_("Entfernt am"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_image(self) -> bool:
        return self.content_type in IMAGE_TYPES and self.status == self.Status.CLEAN

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None

    # Each kind names its file field ``file`` and its text ``owner`` (a result, a guide).
    @property
    def stored_file(self):
        return self.file

    @property
    def owner(self):
        raise NotImplementedError


# --- Services: store, replace, remove, release ----------------------------------------------

RECHECK_SECONDS = 300


def _office_addresses() -> list[str]:
    from workspace.models import User
    from workspace.permissions import NETWORK_OFFICE_GROUP

    return list(
        User.objects.filter(groups__name=NETWORK_OFFICE_GROUP, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )


def _office_mail(subject: str, body: str):
    from workspace import mail

    addresses = _office_addresses()
    return mail.build(subject=subject, body=body, to=addresses) if addresses else None


def _tell_office_of_finding(*, name: str, signature: str, by, where: str) -> None:
    """Sent at once: the upload is refused, so there is no commit to wait for."""
    from django.utils.translation import gettext as gettext_now

    from workspace import mail

    message = _office_mail(
        gettext_now("Virenprüfung: Datei abgelehnt"),
        gettext_now(
            "ClamAV hat in der Datei „%(name)s“ (%(where)s), hochgeladen von %(by)s, "
            "„%(signature)s“ gefunden. Die Datei wurde abgelehnt und nicht gespeichert."
        )
        % {"name": name, "where": where, "by": by, "signature": signature},
    )
    if message is not None:
        mail.send(message)


def _tell_office_scanner_down(*, name: str, where: str, error: str) -> None:
    from django.utils.translation import gettext as gettext_now

    from workspace import mail

    message = _office_mail(
        gettext_now("Virenprüfung nicht erreichbar"),
        gettext_now(
            "Die Datei „%(name)s“ (%(where)s) wartet „in Prüfung“: clamd ist nicht erreichbar "
            "(%(error)s). Sie wird freigegeben, sobald clamd wieder antwortet."
        )
        % {"name": name, "where": where, "error": error},
    )
    if message is not None:
        mail.send_on_commit(message)


def attachment_store(
    *, attachment: Attachment, file_field: str, upload, by, where: str, replaces=None
) -> Attachment:
    """Check, scan and store ``upload`` as the unsaved ``attachment`` (its owner set).

    Refused with a ValidationError: a type not allowed (by content), a file clamd finds (the
    office is told; nothing is stored). While clamd cannot be reached the file is stored
    *in Prüfung* and the office is told. ``replaces``: the attachment this one replaces, which
    is removed from the current version (its history keeps it).
    """
    import hashlib
    import os

    from django.core.files.base import ContentFile
    from django.db import transaction
    from django.utils import timezone

    data = read_upload(upload)
    name = os.path.basename(upload.name or "")[:200] or "anhang"
    content_type = check_type(data, name)
    status = Attachment.Status.CLEAN
    if scanner_configured():
        try:
            verdict = scan(data)
        except ScannerUnavailable as error:
            status = Attachment.Status.PENDING
            _tell_office_scanner_down(name=name, where=where, error=str(error))
        else:
            if not verdict.clean:
                _tell_office_of_finding(
                    name=name, signature=verdict.signature, by=by.get_display_name(), where=where
                )
                raise ValidationError(
                    _(
                        "Die Virenprüfung hat in „%(name)s“ eine Schadsoftware gefunden "
                        "(%(signature)s). Die Datei wurde nicht gespeichert; die Geschäftsstelle "
                        "ist informiert."
                    )
                    % {"name": name, "signature": verdict.signature}
                )
    digest = hashlib.sha256(data).hexdigest()
    attachment.name = name
    attachment.size = len(data)
    attachment.sha256 = digest
    attachment.content_type = content_type
    attachment.status = status
    attachment.text = extract_text(data, content_type) if status == Attachment.Status.CLEAN else ""
    attachment.uploaded_by = by
    with transaction.atomic():
        getattr(attachment, file_field).save(f"{digest[:12]}-{name}", ContentFile(data), save=False)
        # A file written but never recorded (the save failed) is removed again.
        stored = getattr(attachment, file_field)
        try:
            if replaces is not None:
                attachment.replaces = replaces
            attachment.save()
        except Exception:
            stored.delete(save=False)
            raise
        if replaces is not None:
            replaces.removed_at = timezone.now()
            replaces.removed_by = by
            replaces.save(update_fields=["removed_at", "removed_by"])
    if status == Attachment.Status.PENDING:
        schedule_recheck()
    return attachment


def attachment_remove(*, attachment: Attachment, by) -> Attachment:
    """Hide ``attachment`` from the current version; nothing is deleted."""
    from django.utils import timezone

    if attachment.removed_at is None:
        attachment.removed_at = timezone.now()
        attachment.removed_by = by
        attachment.save(update_fields=["removed_at", "removed_by"])
    return attachment


def attachment_models() -> list[type[Attachment]]:
    from django.apps import apps

    return [
        model
        for model in apps.get_models()
        if issubclass(model, Attachment) and not model._meta.abstract
    ]


def attachments_recheck() -> dict[str, int]:
    """Ask clamd about every file *in Prüfung*: release the clean, drop what it finds (the
    office is told), leave the rest waiting while clamd is still down. Returns the counts."""
    counts = {"released": 0, "refused": 0, "waiting": 0}
    for model in attachment_models():
        for attachment in model.objects.pending().order_by("pk"):
            file = attachment.stored_file
            with file.open("rb") as handle:
                data = handle.read()
            try:
                verdict = scan(data) if scanner_configured() else Verdict(clean=True)
            except ScannerUnavailable:
                counts["waiting"] += 1
                continue
            if verdict.clean:
                attachment.status = Attachment.Status.CLEAN
                attachment.text = extract_text(data, attachment.content_type)
                attachment.save(update_fields=["status", "text"])
                counts["released"] += 1
            else:
                _tell_office_of_finding(
                    name=attachment.name,
                    signature=verdict.signature,
                    by=attachment.uploaded_by.get_display_name(),
                    where=str(attachment.owner),
                )
                file.delete(save=False)
                attachment.delete()
                counts["refused"] += 1
    if counts["waiting"]:
        schedule_recheck()
    return counts


def schedule_recheck() -> None:
    """Queue one recheck in a few minutes, unless one waits already."""
    import datetime

    from django.db import transaction
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    def queue() -> None:
        waiting = DBTaskResult.objects.filter(
            task_path=recheck_attachments.module_path, status="READY"
        )
        if not waiting.exists():
            recheck_attachments.using(
                run_after=timezone.now() + datetime.timedelta(seconds=RECHECK_SECONDS)
            ).enqueue()

    transaction.on_commit(queue)


@task()
def recheck_attachments() -> int:
    """The worker's side of :func:`schedule_recheck`; returns how many files it released."""
    return attachments_recheck()["released"]


# --- The upload form both kinds use ---------------------------------------------------------


class AttachmentForm(KernFormMixin, forms.Form):
    file = forms.FileField(label=_("Datei"), help_text=ALLOWED_DESCRIPTION)
