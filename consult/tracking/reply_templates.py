"""Reply templates: a department's reusable answer texts."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from consult.accounts.models import User
from consult.authz import require_worker
from consult.database import utcnow
from consult.domain import DomainError
from consult.extensions import db
from consult.tracking.models import ReplyTemplate


def reply_templates_for(department_id: int) -> list[ReplyTemplate]:
    """The department's templates, by title."""
    return list(
        db.session.scalars(
            sa.select(ReplyTemplate).where(ReplyTemplate.department_id == department_id).order_by(ReplyTemplate.title)
        )
    )


def _validated(department_id: int, title: str, body: str, exclude_id: int | None = None) -> tuple[str, str]:
    title, body = (title or "").strip(), (body or "").strip()
    if not title:
        raise DomainError(_l("Please give the template a title."), field="title")
    if not body:
        raise DomainError(_l("Please write the template text."), field="body")
    clash = sa.select(ReplyTemplate.id).where(
        ReplyTemplate.department_id == department_id, ReplyTemplate.title == title
    )
    if exclude_id is not None:
        clash = clash.where(ReplyTemplate.id != exclude_id)
    if db.session.scalar(clash) is not None:
        raise DomainError(_l("The department already has a template with this title."), field="title")
    return title, body


def create_reply_template(actor: User, department_id: int, title: str, body: str) -> ReplyTemplate:
    """Add a template to the department (its officers, reviewers, or an admin)."""
    require_worker(actor, department_id)
    title, body = _validated(department_id, title, body)
    template = ReplyTemplate(department_id=department_id, title=title, body=body)
    db.session.add(template)
    db.session.flush()
    return template


def update_reply_template(actor: User, template: ReplyTemplate, title: str, body: str) -> None:
    """Change a template's title and text."""
    require_worker(actor, template.department_id)
    template.title, template.body = _validated(template.department_id, title, body, exclude_id=template.id)
    template.updated_at = utcnow()


def delete_reply_template(actor: User, template: ReplyTemplate) -> None:
    """Remove a template (replies written from it keep their text)."""
    require_worker(actor, template.department_id)
    db.session.delete(template)
    db.session.flush()
