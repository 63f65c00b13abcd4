"""Set-up for the online interview tests: an interview made through the services, questions sent through the
public form, and the moderator's actions through the console's routes."""

from datetime import timedelta

import sqlalchemy as sa

from consult.accounts.models import User
from consult.database import utcnow
from consult.extensions import db
from consult.interviews import services
from consult.interviews.models import Question


def make_interview(app, department, *, editor, status: str = "scheduled", title: str = "县教育局在线访谈：义务教育招生",
                   officials: str = "张明，县教育局局长\n李华，基础教育股股长") -> int:
    """An interview of ``department`` announced by ``editor``; ``status`` "live" starts it."""
    with app.app_context():
        actor = db.session.get(User, editor.id)
        starts = utcnow() + timedelta(days=2)
        interview = services.save_interview(None, {
            "title": title, "department_id": department.id, "starts_at": starts,
            "ends_at": starts + timedelta(hours=1), "description": "介绍今年的招生政策。",
        }, services.parse_officials(officials), actor=actor)
        if status == "live":
            services.start_interview(interview, actor=actor)
        db.session.commit()
        return interview.id


def ask(client, interview_id: int, n: int = 1, **fields):
    """A question through the public form (name, phone and e-mail filled in unless given)."""
    data = {"body": f"第{n}个问题：学区划分什么时候公布？", "name": f"王小{n}", "phone": f"1380000{n:04d}",
            "email": f"asker{n}@example.org", "form_token": f"question-form-{interview_id:04d}-{n:04d}"}
    data.update(fields)
    return client.post(f"/interviews/{interview_id}/ask", data=data)


def question_ids(app, interview_id: int) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(sa.select(Question.id).where(Question.interview_id == interview_id)
                                       .order_by(Question.id)))


def officials_of(app, interview_id: int) -> list[int]:
    from consult.interviews.models import Official

    with app.app_context():
        return list(db.session.scalars(sa.select(Official.id).where(Official.interview_id == interview_id)
                                       .order_by(Official.position)))
