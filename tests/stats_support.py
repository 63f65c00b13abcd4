"""Set-up for the statistics tests: submissions received and answered at chosen local moments."""

from datetime import datetime

from tests.tracking_support import file_submission
from tests.world_support import World

from consult.extensions import db
from consult.localtime import as_utc
from consult.tracking import actions, transitions
from consult.tracking.citizen import rate
from consult.tracking.models import LETTER, Submission


def received(world: World, moment: datetime, *, kind: str = LETTER, department=None, **fields) -> Submission:
    """A submission received at ``moment`` (local time), assigned to the world's officer of its department."""
    department = department or world.dept
    submission = file_submission(world, kind=kind, received_at=moment, department=department, **fields).submission
    officer = world.officer if department.id == world.dept.id else world.other_officer
    actions.assign_submission(submission, officer, actor=officer)
    db.session.commit()
    return submission


def answered(monkeypatch, submission: Submission, moment: datetime, world: World, action: str = "answer") -> None:
    """Answer (or dismiss) ``submission`` through the state machine as if it were ``moment``."""
    officer = world.officer if submission.department_id == world.dept.id else world.other_officer
    with monkeypatch.context() as patch:
        patch.setattr(transitions, "utcnow", lambda: as_utc(moment))
        transitions.transition(submission, action, actor=officer)
    db.session.commit()


def rated(submission: Submission, satisfaction: str) -> None:
    rate(submission, resolved=satisfaction != "unsatisfied", satisfaction=satisfaction)
    db.session.commit()
