"""A draft's text from a Word file: the upload is inspected like every upload, read into Markdown
(:mod:`consult.documents.docx_import`), shown to the editor to check and fix, and on saving the Word file is
kept with the version as its original (征求意见稿, downloadable from the public page) and the images become
the draft's figures.

Between the import and the save, the stored file and figures wait as attachments of the editor who uploaded
them; saving links them (once) to the draft.
"""

import io
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.datastructures import FileStorage

from consult import uploads
from consult.documents.docx_import import ImportedDraft, check_extension, read_docx
from consult.domain import DomainError
from consult.drafts.articles import ParsedArticle, split_articles
from consult.drafts.models import Draft, DraftFile, DraftVersion
from consult.drafts.services import attach_file, may_see_in_office
from consult.extensions import db

SOURCE_OWNER = "draft_source"
FIGURE_OWNER = "draft"


@dataclass
class WordImport:
    """What an import produced, for the editor to check before saving."""

    source: uploads.Attachment
    draft: ImportedDraft
    figures: list[uploads.Attachment]

    @property
    def articles(self) -> list[ParsedArticle]:
        return split_articles(self.draft.body)


def import_word(file: FileStorage | None, user) -> WordImport:
    """Check and store the uploaded Word file and its images, and read its text (raises DomainError)."""
    check_extension(getattr(file, "filename", None))
    source = uploads.save_upload(file, owner=SOURCE_OWNER, uploaded_by=user, allowed=frozenset({uploads.DOCX}))
    imported = read_docx(uploads.read_attachment(source))
    figures = []
    for image in imported.images:
        caption = f"图{image.number}" + (f" {image.description}" if image.description else "")
        name = f"{caption}.{image.filename.rsplit('.', 1)[-1]}".replace("/", "-").replace("\\", "-")
        stored = FileStorage(stream=io.BytesIO(image.data), filename=name, content_type=image.content_type)
        try:
            figures.append(uploads.save_upload(stored, owner=FIGURE_OWNER, uploaded_by=user,
                                               allowed=uploads.IMAGE_TYPES))
        except DomainError:
            continue  # an image the upload checks refuse is left out, not the whole draft
    return WordImport(source, imported, figures)


def _pending(attachment_id: int, owner: str, user) -> uploads.Attachment:
    attachment = db.session.get(uploads.Attachment, attachment_id)
    if attachment is None or attachment.owner != owner or attachment.uploaded_by_id != user.id:
        raise DomainError(_l("The imported file is no longer available. Please import it again."), field="body")
    linked = db.session.scalar(sa.select(sa.func.count()).select_from(DraftFile).where(
        DraftFile.attachment_id == attachment.id)) or db.session.scalar(sa.select(sa.func.count()).select_from(
            DraftVersion).where(DraftVersion.source_attachment_id == attachment.id))
    if linked:
        raise DomainError(_l("The imported file is no longer available. Please import it again."), field="body")
    return attachment


def keep_word_original(draft: Draft, user, source_id: int, figure_ids: list[int]) -> None:
    """After the text is saved: the Word file becomes the current version's original, the images its figures."""
    source = _pending(source_id, SOURCE_OWNER, user)
    figures = [_pending(figure_id, FIGURE_OWNER, user) for figure_id in figure_ids]
    draft.current_version.source_attachment_id = source.id
    for figure in figures:
        attach_file(draft, figure, figure.original_filename.rsplit(".", 1)[0][:200])
    db.session.flush()


def parse_ids(text: str | None) -> list[int]:
    """``"3,4,5"`` → ``[3, 4, 5]`` (anything else is dropped)."""
    return [int(part) for part in (text or "").split(",") if part.strip().isdigit()][:100]


def _source_access(attachment: uploads.Attachment) -> str | None:
    """The original of a published draft is public; before that, staff who may see the draft get it."""
    version = db.session.scalar(sa.select(DraftVersion).where(DraftVersion.source_attachment_id == attachment.id))
    if version is None:
        return uploads.PRIVATE if current_user.is_authenticated and attachment.uploaded_by_id == current_user.id \
            else None
    draft = version.draft
    if draft.is_public or draft.has_been_published:
        return uploads.PUBLIC
    if current_user.is_authenticated and may_see_in_office(current_user, draft):
        return uploads.PRIVATE
    return None


uploads.register_access_check(SOURCE_OWNER, _source_access)
