"""What an analysis run reads: the comments on a draft, or the written answers of one questionnaire.

A source says which runs are its own, which items it has (id, group, text) and where each item's text and
group are kept, so the job, the persisted units and the pages are the same for both. The group is what the
analysis calls an article: a comment's article (``""``: the draft as a whole), or for a questionnaire the
free-text question an answer was written to (its id as text). One run per questionnaire, with the question
as the group, reads like the draft's run with its articles: one job when the questionnaire closes, one
overview with campaigns and stances per question, topics found within each question.
"""

from dataclasses import dataclass

import sqlalchemy as sa

from consult.drafts.models import REJECTED, Comment, Draft
from consult.extensions import db
from consult.surveys.models import TEXT, SurveyAnswer, SurveyQuestion
from consult.tokens import Terms
from consult.workbench.models import AnalysisRun

DRAFT, QUESTIONNAIRE = "draft", "questionnaire"


@dataclass(frozen=True)
class Source:
    """A draft's comments (``kind`` ``draft``) or a questionnaire's written answers (``questionnaire``)."""

    kind: str
    id: int

    @property
    def is_draft(self) -> bool:
        return self.kind == DRAFT

    @property
    def run_column(self) -> sa.ColumnElement:
        return AnalysisRun.draft_id if self.is_draft else AnalysisRun.questionnaire_id

    def owns(self) -> sa.ColumnElement[bool]:
        """The condition on ``analysis_runs`` for this source's runs."""
        return self.run_column == self.id

    def new_run(self, **values) -> AnalysisRun:
        return AnalysisRun(**{"draft_id" if self.is_draft else "questionnaire_id": self.id}, **values)

    # --- the items -----------------------------------------------------------------------------------------

    @property
    def item_id(self) -> sa.ColumnElement[int]:
        return Comment.id if self.is_draft else SurveyAnswer.id

    @property
    def text(self) -> sa.ColumnElement[str]:
        return Comment.body if self.is_draft else SurveyAnswer.text

    @property
    def group(self) -> sa.ColumnElement[str]:
        """The item's group as the analysis reads it: the article's anchor, or the question's id as text."""
        return Comment.article_anchor if self.is_draft else sa.cast(SurveyAnswer.question_id, sa.String)

    @property
    def entity(self):
        return Comment if self.is_draft else SurveyAnswer

    def items(self) -> sa.Select:
        """(id, group, text) of every item a run reads: comments but those rejected at moderation, or the
        typed answers to the questionnaire's free-text questions."""
        if self.is_draft:
            return sa.select(Comment.id, Comment.article_anchor.label("anchor"), Comment.body.label("text")).where(
                Comment.draft_id == self.id, Comment.moderation != REJECTED)
        return (sa.select(SurveyAnswer.id, self.group.label("anchor"), SurveyAnswer.text.label("text"))
                .join(SurveyQuestion, SurveyQuestion.id == SurveyAnswer.question_id)
                .where(SurveyQuestion.questionnaire_id == self.id, SurveyQuestion.kind == TEXT,
                       SurveyAnswer.text.is_not(None)))

    def joined(self, stmt: sa.Select, item_column) -> sa.Select:
        """``stmt`` joined to the item named by ``item_column`` (a member's or a unit's lead item)."""
        return stmt.join(self.entity, self.item_id == item_column)

    def terms(self) -> Terms | None:
        """Words to keep whole when tokenising: a draft's defined terms; a questionnaire has none."""
        if not self.is_draft:
            return None
        draft = db.session.get(Draft, self.id)
        return Terms.from_draft(draft.current_version.body) if draft and draft.current_version else None

    @property
    def keeps_signatures(self) -> bool:
        """Campaign signatures are kept per comment (``analysis_signatures``) for the draft's next run; a
        questionnaire is analysed about once, when it closes, so its answers are hashed each time."""
        return self.is_draft

    @property
    def answered(self) -> bool:
        """Whether its items are answered through dispositions (comments: the feedback report). Written answers
        to a questionnaire need no answer: their units are read, never given a disposition."""
        return self.is_draft


def of_run(run: AnalysisRun) -> Source:
    return Source(DRAFT, run.draft_id) if run.draft_id is not None else Source(QUESTIONNAIRE, run.questionnaire_id)


def of_draft(draft_id: int) -> Source:
    return Source(DRAFT, draft_id)


def of_questionnaire(questionnaire_id: int) -> Source:
    return Source(QUESTIONNAIRE, questionnaire_id)
