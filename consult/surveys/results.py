"""The results of a questionnaire, read from the counters kept as responses arrive (never by scanning
responses), plus the reads that must look at answers: a cross-tabulation of two questions, the free-text
answers summarised by topic (read from their stored analysis, consult.workbench), and the exports. No
personal data: a response carries none, and typed texts are shown and exported with phone numbers, e-mail
addresses and ID numbers removed."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from consult.contacts import redact_text
from consult.extensions import db
from consult.surveys.models import (
    CHOICE_KINDS, RANKING, SCALE, TEXT, Questionnaire, SurveyAnswer, SurveyOption, SurveyPairCount, SurveyQuestion,
    SurveyResponse,
)


@dataclass(frozen=True)
class OptionResult:
    id: int
    label: str
    count: int
    share: float | None  # of the respondents who answered the question
    points: int = 0
    mean_rank_points: float | None = None


@dataclass(frozen=True)
class ResultOption:
    id: int
    label: str


@dataclass(frozen=True)
class ResultQuestion:
    """A question as the results show it (questions cannot change once a questionnaire is public)."""

    id: int
    position: int
    kind: str
    prompt: str
    options: tuple[ResultOption, ...]


@dataclass(frozen=True)
class QuestionResult:
    question: ResultQuestion
    answered: int
    options: list[OptionResult]
    mean: float | None = None  # of a 1–5 scale


def load(questionnaire_id: int) -> Questionnaire | None:
    """A questionnaire with its questions and their options (three queries, whatever the size)."""
    return db.session.scalar(
        sa.select(Questionnaire).where(Questionnaire.id == questionnaire_id)
        .options(selectinload(Questionnaire.questions).selectinload(SurveyQuestion.options),
                 selectinload(Questionnaire.questions).selectinload(SurveyQuestion.branch_option)))


def load_alone(questionnaire_id: int) -> Questionnaire | None:
    """A questionnaire with its department, without its questions (one query): what the results page needs
    before it reads the counters."""
    return db.session.scalar(sa.select(Questionnaire).where(Questionnaire.id == questionnaire_id)
                             .options(joinedload(Questionnaire.department)))


def counters_version(questionnaire: Questionnaire) -> tuple:
    """What changes whenever a counter of the questionnaire does: every response adds one to
    ``response_count`` in the transaction that moves the other counters. The salt (random per questionnaire)
    keeps two databases' questionnaire 1 apart in a process's caches."""
    return questionnaire.id, questionnaire.salt, questionnaire.response_count, questionnaire.updated_at


def question_results(questionnaire: Questionnaire) -> list[QuestionResult]:
    """Counts and shares per option of every question, from the counters: one query for all of them."""
    found = db.session.execute(
        sa.select(SurveyQuestion.id, SurveyQuestion.position, SurveyQuestion.kind, SurveyQuestion.prompt,
                  SurveyQuestion.answer_count, SurveyOption.id, SurveyOption.label, SurveyOption.chosen_count,
                  SurveyOption.points)
        .outerjoin(SurveyOption, SurveyOption.question_id == SurveyQuestion.id)
        .where(SurveyQuestion.questionnaire_id == questionnaire.id)
        .order_by(SurveyQuestion.position, SurveyQuestion.id, SurveyOption.position, SurveyOption.id)).all()
    grouped: dict[int, list] = {}
    for row in found:
        grouped.setdefault(row[0], []).append(row)
    results = []
    for question_rows in grouped.values():
        question_id, position, kind, prompt, answered = question_rows[0][:5]
        present = [r for r in question_rows if r[5] is not None]
        question = ResultQuestion(question_id, position, kind, prompt,
                                  tuple(ResultOption(r[5], r[6]) for r in present))
        options = []
        for _q, _p, _k, _t, _a, option_id, label, chosen, points in present:
            share = chosen / answered if answered else None
            mean_points = points / answered if answered and kind == RANKING else None
            options.append(OptionResult(option_id, label, chosen, share, points, mean_points))
        if kind == RANKING:
            options.sort(key=lambda o: (-o.points, o.id))
        mean = None
        if kind == SCALE and answered:
            mean = sum(int(o.label) * o.count for o in options) / answered
        results.append(QuestionResult(question, answered, options, mean))
    return results


@dataclass(frozen=True)
class CrossTab:
    rows: ResultQuestion
    columns: ResultQuestion
    counts: dict[tuple[int, int], int]

    def cell(self, row_option: int, column_option: int) -> int:
        return self.counts.get((row_option, column_option), 0)

    def row_total(self, row_option: int) -> int:
        return sum(n for (r, _c), n in self.counts.items() if r == row_option)


def choice_questions(shown: list[QuestionResult]) -> list[ResultQuestion]:
    """The questions a cross-tabulation can compare (single, multiple choice and scales)."""
    return [r.question for r in shown if r.question.kind in CHOICE_KINDS]


def crosstab(choices: list[ResultQuestion], rows_id: int, columns_id: int) -> CrossTab | None:
    """How the respondents who chose each option of one choice question answered another, from the pair
    counters kept as responses arrive (one query by the questions' index, a few dozen rows whatever the
    number of responses). None unless both are choice questions of this questionnaire and differ."""
    by_id = {q.id: q for q in choices}
    if rows_id not in by_id or columns_id not in by_id or rows_id == columns_id:
        return None
    first, second = min(rows_id, columns_id), max(rows_id, columns_id)
    found = db.session.execute(
        sa.select(SurveyPairCount.option_a_id, SurveyPairCount.option_b_id, SurveyPairCount.count)
        .where(SurveyPairCount.question_a_id == first, SurveyPairCount.question_b_id == second)).all()
    if rows_id == first:
        counts = {(a, b): n for a, b, n in found if n}
    else:
        counts = {(b, a): n for a, b, n in found if n}
    return CrossTab(by_id[rows_id], by_id[columns_id], counts)


def crosstab_by_scan(rows_id: int, columns_id: int) -> dict[tuple[int, int], int]:
    """The same cells by a grouped self-join over the two questions' answers: what the pair counters
    replace (kept for the bench and the tests that check the counters against it)."""
    a, b = sa.orm.aliased(SurveyAnswer), sa.orm.aliased(SurveyAnswer)
    return {(r, c): n for r, c, n in db.session.execute(
        sa.select(a.option_id, b.option_id, sa.func.count())
        .join(b, sa.and_(b.response_id == a.response_id, b.question_id == columns_id))
        .where(a.question_id == rows_id)
        .group_by(a.option_id, b.option_id))}


@dataclass(frozen=True)
class Topic:
    keywords: list[str]
    size: int
    examples: list[str]


@dataclass(frozen=True)
class TextSummary:
    """A free-text question's answers as the questionnaire's newest finished analysis grouped them
    (``consult.workbench``); ``analysed_at`` None: no analysis yet, the summary is being prepared."""

    question: SurveyQuestion
    answered: int  # the question's written answers now (its counter)
    analysed_at: datetime | None
    read: int  # answers the analysis read
    topics: list[Topic]
    campaigns: int  # form answers: identical or near-identical texts given by several people
    campaign_answers: int
    unclustered: int


def _public_keywords(keywords: list[str]) -> list[str]:
    """Key words with nothing that looks like a phone number, e-mail address or ID number."""
    return [word for word in keywords if redact_text(word) == word][:6]


def text_summary(question: SurveyQuestion, *, examples: bool = False) -> TextSummary:
    """The free-text answers of a question by topic, read from the stored analysis of the questionnaire's
    written answers (the newest finished run: a few rows, never a clustering on the page). Examples (for staff)
    are redacted."""
    from consult.workbench.queries import answer_texts, question_summary  # the workbench builds on surveys

    stored = question_summary(question.questionnaire_id, question.id)
    if stored is None:
        return TextSummary(question, question.answer_count, None, 0, [], 0, 0, 0)
    texts = answer_texts([i for t in stored.topics for i in t.representative_ids]) if examples else {}
    shown = [Topic(_public_keywords(t.keywords), t.size,
                   [redact_text(texts[i]) for i in t.representative_ids if i in texts]) for t in stored.topics]
    return TextSummary(question, question.answer_count, stored.run.finished_at, stored.read, shown,
                       stored.campaigns, stored.campaign_answers, stored.singles)


def export_header(questionnaire: Questionnaire) -> list[str]:
    return ["response", "submitted_at"] + [f"Q{n}. {q.prompt}" for n, q in enumerate(questionnaire.questions, 1)]


def export_rows(questionnaire: Questionnaire, batch: int = 2000) -> Iterator[list]:
    """One row per response (number, time, each question's answer as text), a batch of responses at a time
    by keyset, so a large questionnaire exports in steady memory. Texts are redacted."""
    questions = questionnaire.questions
    column = {q.id: n for n, q in enumerate(questions)}
    labels = {o.id: o.label for q in questions for o in q.options}
    last = 0
    while True:
        responses = db.session.execute(
            sa.select(SurveyResponse.id, SurveyResponse.submitted_at)
            .where(SurveyResponse.questionnaire_id == questionnaire.id, SurveyResponse.id > last)
            .order_by(SurveyResponse.id).limit(batch)).all()
        if not responses:
            return
        ids = [r.id for r in responses]
        cells: dict[int, list[list[str]]] = {i: [[] for _ in questions] for i in ids}
        for answer in db.session.execute(
                sa.select(SurveyAnswer.response_id, SurveyAnswer.question_id, SurveyAnswer.option_id,
                          SurveyAnswer.rank, SurveyAnswer.text)
                .where(SurveyAnswer.response_id.in_(ids))
                .order_by(SurveyAnswer.response_id, SurveyAnswer.rank, SurveyAnswer.id)):
            slot = cells[answer.response_id][column[answer.question_id]]
            if answer.text is not None:
                slot.append(redact_text(answer.text))
            elif answer.rank is not None:
                slot.append(f"{answer.rank}. {labels.get(answer.option_id, '')}")
            else:
                slot.append(labels.get(answer.option_id, ""))
        for response_id, submitted_at in responses:
            yield [response_id, submitted_at.isoformat(timespec="seconds")] + ["; ".join(c) for c in cells[response_id]]
        last = ids[-1]


def summary_rows(results: list[QuestionResult]) -> Iterator[list]:
    """The counts table: question, option, count, share (of those who answered the question)."""
    for n, result in enumerate(results, 1):
        if result.question.kind == TEXT:
            yield [f"Q{n}", result.question.prompt, "", result.answered, None]
        for option in result.options:
            yield [f"Q{n}", result.question.prompt, option.label, option.count,
                   round(option.share, 4) if option.share is not None else None]
