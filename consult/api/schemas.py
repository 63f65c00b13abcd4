"""The API's answers as pydantic models: the views build them, and the OpenAPI document shows them.

Every member is always present (``null`` where there is nothing), so clients can rely on the shapes.
Request bodies and query parameters are declared beside their views.
"""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from consult.api.fields import Day, Moment, Url
from consult.drafts.models import PUBLIC_STATUSES, WITHDRAWN
from consult.dispositions import DISPOSITIONS
from consult.events.models import CATEGORIES as EVENT_CATEGORIES, EVENT_TYPES, MODES, STATUSES as REGISTRATION_STATUSES
from consult.interviews.models import ENTRY_KINDS, STATUSES as INTERVIEW_STATUSES
from consult.mailbox.models import CATEGORIES
from consult.tracking.models import KINDS, REPLY_STATUSES, STATUSES

SubmissionStatusCode = Literal[STATUSES]
Kind = Literal[KINDS]
Rate = float | None


class Answer(BaseModel):
    """Base of the answers: nothing but the declared members."""

    model_config = ConfigDict(extra="forbid")


def page_of(item: type[BaseModel]) -> type[BaseModel]:
    """``{"items": [...], "next": url|null}``: one page of a cursor-paginated list."""
    return create_model(f"{item.__name__}Page", __base__=Answer, items=(list[item], ...),
                        next=(Url | None, Field(description="The next page, or null on the last one.")))


class Problem(BaseModel):
    """An RFC 9457 problem (``application/problem+json``)."""

    type: str
    title: str
    status: int
    detail: str | None = None
    errors: dict[str, list[str]] | None = Field(None, description="Messages per request field.")


class Department(Answer):
    id: int
    name: str
    name_en: str | None


class DraftSummary(Answer):
    id: int
    title: str
    summary: str
    status: Literal[(*PUBLIC_STATUSES, WITHDRAWN)]
    domain: str
    department: Department
    opens_at: Moment
    closes_at: Moment
    accepting_comments: bool
    comment_count: int
    url: Url


class Article(Answer):
    id: int
    anchor: str = Field(description="Stable across versions; what `article` names in a comment.")
    heading: str
    body: str = Field(description="Markdown.")
    comment_count: int


class Question(Answer):
    question: str
    answer: str


class Draft(DraftSummary):
    legal_basis: str
    interpretation: str = Field(description="Markdown (解读).")
    version: int
    articles: list[Article]
    questions: list[Question]


class DispositionCounts(Answer):
    """Comments by disposition (采纳 / 部分采纳 / 不予采纳 / 已知悉)."""

    adopted: int
    partly_adopted: int
    not_adopted: int
    noted: int


class StanceCounts(Answer):
    """Comments by stance, as the comment analysis read them (支持 / 反对 / 建议修改 / 其他)."""

    support: int
    oppose: int
    revise: int
    other: int


class ReportArticle(Answer):
    anchor: str | None = Field(description="The article's anchor (e.g. art-3); null for the draft as a whole.")
    label: str
    total: int
    by_disposition: DispositionCounts
    by_stance: StanceCounts | None


class StanceSource(Answer):
    analysed_at: Moment | None
    comments: int = Field(description="Comments the analysis read.")


class CampaignCounts(Answer):
    """Form letters found by the comment analysis ("7 个意见模板共 3,800 条，占 38%")."""

    templates: int = Field(description="Campaigns: identical comments and edited copies of one form letter.")
    comments: int = Field(description="Comments in all the campaigns.")
    share: float = Field(description="Their share of the analysed comments, 0 to 1.")


class ReportFigures(Answer):
    """The feedback report's numbers: counts only, no personal data."""

    draft_id: int
    title: str
    published_at: Moment | None
    total: int
    by_disposition: DispositionCounts
    by_stance: StanceCounts | None = Field(description="Null when the comments were not analysed.")
    by_article: list[ReportArticle]
    stance_source: StanceSource | None
    campaigns: CampaignCounts | None = Field(description="Null when the comments were not analysed.")


class Comment(Answer):
    id: int
    public_name: str = Field(description="Masked, e.g. 张*.")
    body: str
    article_anchor: str | None
    created_at: Moment


class Receipt(Answer):
    """What creating a tracked submission answers."""

    tracking_no: str
    query_code: str | None = Field(description="Shown once, in the first answer (and the receipt mail): keep "
                                               "it to follow the submission. Null when the answer is a replay.")
    due_on: Day
    status: SubmissionStatusCode


class CommentReceipt(Receipt):
    comment_id: int
    moderation: Literal["published", "held"]


class Category(Answer):
    code: Literal[CATEGORIES]
    label: str


class Mailbox(Answer):
    id: int
    name: str
    description: str
    department: Department
    categories: list[Category]
    window_workdays: int
    accepting: bool
    publishes_answers: bool
    letter_count: int
    answered_count: int


class LetterReceipt(Receipt):
    mailbox_id: int
    public: bool


class Step(Answer):
    """One event of a submission's timeline."""

    at: Moment
    action: str
    from_status: str | None
    to_status: str | None
    actor_role: str


class TimelineEntry(Step):
    note: str


class PublicAnswer(Answer):
    body: str
    body_html: str
    answered_at: Moment | None


class SubmissionStatus(Answer):
    tracking_no: str
    kind: Kind
    status: SubmissionStatusCode
    status_label: str
    department: Department
    received_at: Moment
    due_on: Day
    due_estimated: bool
    answered_at: Moment | None
    closed_at: Moment | None
    answer: PublicAnswer | None
    dismissal_reason: str | None
    timeline: list[TimelineEntry]


class PublicFile(Answer):
    """A file anyone may download."""

    name: str = Field(description="The file's name as uploaded.")
    content_type: str = Field(description="Its type, read from its content (PDF, Word, Excel or an image).")
    size: int = Field(description="In bytes.")
    url: Url = Field(description="The public download.")


class Event(Answer):
    id: int
    title: str
    description: str
    department: Department
    venue: str
    address: str
    starts_at: Moment
    ends_at: Moment
    registration_opens_at: Moment
    registration_closes_at: Moment
    registration_open: bool
    event_type: Literal[EVENT_TYPES] = Field(description="`open_day`, `hearing` (听证会: apply to speak or to attend) "
                                                         "or `meeting` (a public meeting attended by category, 列席).")
    mode: Literal[MODES]
    capacity: int
    seats_left: int
    waitlist_count: int
    require_phone: bool
    require_email: bool
    ask_id_card: bool
    url: Url
    files: list[PublicFile] = Field(description="The files published with a hearing's record (the signed "
                                                "transcript, the report), once the record is published; empty "
                                                "before, and for open days and meetings. Files for attendees are "
                                                "never listed.")


class SpeakerReceipt(Receipt):
    """An application to speak at a hearing: a tracked submission, answered in the hearing report."""

    event_id: int
    category: Literal[EVENT_CATEGORIES]


class CategoryCount(Answer):
    category: Literal[EVENT_CATEGORIES]
    label: str
    places: int = Field(description="Speaker places (hearing) or seats (meeting) of the category.")
    applied: int
    chosen: int
    drawn: bool = Field(description="More applications than places: the lottery decided.")


class SelectionRecord(Answer):
    """How a hearing's speakers or a meeting's attendees are chosen: counts per category, never names."""

    event_id: int
    event_type: Literal[EVENT_TYPES]
    rule: str = Field(description="The rule in words, in the language asked for.")
    seed: str | None = Field(description="The published lottery seed (null before a draw, or without one). A "
                                         "category's draw shuffles its sorted numbers with "
                                         "`random.Random(seed + ':' + category)`.")
    selected_at: Moment | None
    categories: list[CategoryCount]


class PublicStatement(Answer):
    number: int
    speaker: str = Field(description="The speaker's name, masked (张*).")
    category: Literal[EVENT_CATEGORIES]
    chosen: bool = Field(description="Spoke at the hearing; false: a written statement.")
    disposition: Literal[DISPOSITIONS]
    reason: str


class HearingRecord(Answer):
    """The published record of a hearing: transcript (听证笔录), report, and each statement's disposition."""

    event_id: int
    title: str
    published_at: Moment
    transcript: str = Field(description="Markdown source.")
    transcript_html: str = Field(description="Rendered and sanitised HTML.")
    report: str = Field(description="Markdown source.")
    report_html: str
    statements: list[PublicStatement]
    files: list[PublicFile] = Field(description="The files published with the record.")


class RegistrationReceipt(Answer):
    id: int
    event_id: int
    status: Literal[REGISTRATION_STATUSES]
    waitlist_place: int | None = Field(description="1-based place on the waiting list.")
    manage_url: Url | None = Field(description="The registrant's own page (cancel, QR code). Shown once, in "
                                               "the first answer (and the confirmation mail); null in a replay.")


class InterviewOfficial(Answer):
    name: str
    title: str


class InterviewSummary(Answer):
    id: int
    title: str
    department: Department
    starts_at: Moment
    ends_at: Moment
    status: Literal[INTERVIEW_STATUSES] = Field(description="scheduled, live, ended or archived.")
    accepts_questions: bool = Field(description="Questions may be sent (scheduled or live).")
    officials: list[InterviewOfficial]
    url: Url


class InterviewFile(Answer):
    name: str
    content_type: str
    size: int
    url: Url


class TranscriptItem(Answer):
    id: int = Field(description="Entries are in this order; the live page's stream sends those after an id.")
    kind: Literal[ENTRY_KINDS]
    speaker: str = Field(description="The official's name, or the asker's name masked (张*).")
    speaker_title: str
    text: str = Field(description="An answer's Markdown, or a question's plain text (personal data removed).")
    question_id: int | None = Field(description="The question an answer answers, or the question itself.")
    files: list[InterviewFile]
    created_at: Moment


class Interview(InterviewSummary):
    description: str = Field(description="Markdown.")
    summary: str = Field(description="Markdown, written when the interview is archived.")
    transcript: list[TranscriptItem]


class InterviewQuestionReceipt(Answer):
    id: int
    interview_id: int
    status: Literal["submitted"]
    note: str = Field(description="What happens to the question next.")


class Counts(Answer):
    """The published figures of a group of submissions (see the statistics page for the definitions)."""

    received: int
    answered: int
    answer_rate: Rate
    on_time: int
    on_time_rate: Rate
    median_workdays_to_answer: int | float | None
    response_due: int = Field(description="Received less those not yet acted on whose response time still runs.")
    responded_in_time: int = Field(description="First acted on by staff within the response time.")
    response_rate: Rate = Field(description="响应率 = responded_in_time / response_due.")
    rated: int = Field(description="Ratings that count (an upheld appeal takes one out).")
    resolved: int = Field(description="Rated submissions the citizen says were resolved.")
    resolution_rate: Rate = Field(description="解决率 = resolved / rated.")
    satisfied: int = Field(description="非常满意 + 满意 + 基本满意.")
    satisfaction_rate: Rate = Field(description="满意率 = satisfied / rated.")
    ratings_removed: int = Field(description="Ratings taken out of the rates by an upheld appeal (申诉复核).")
    rectifications: int = Field(description="Rectification tasks (整改) opened by poor ratings.")
    rectified: int = Field(description="Rectification tasks completed with a follow-up record (回访).")


class MonthFigures(Counts):
    month: str = Field(description="YYYY-MM")


class YearFigures(Counts):
    year: int


class Figures(Counts):
    overdue_now: int


class KindFigures(Figures):
    kind: Kind


class DepartmentFigures(Figures):
    id: int
    code: str
    name: str
    name_en: str | None
    kinds: list[KindFigures]


class Period(Answer):
    start: Day
    end: Day
    months: int
    timezone: str


class Stats(Answer):
    period: Period
    department_id: int | None
    totals: Figures
    departments: list[DepartmentFigures]
    kinds: list[KindFigures]
    months: list[MonthFigures]
    years: list[YearFigures]
    response_hours: int = Field(description="The response time: hours of working days after receipt.")
    formulas: dict[str, str] = Field(description="How each rate is computed, in the language asked for.")


class Person(Answer):
    id: int
    name: str


class InboxItem(Answer):
    id: int
    tracking_no: str
    kind: Kind
    status: SubmissionStatusCode
    subject: str
    received_at: Moment
    due_on: Day
    due_soon: bool
    overdue: bool
    very_overdue: bool
    assignee: Person | None
    department: Department


class OfficeTimelineEntry(Step):
    actor: str
    public_note: str
    internal_note: str


class Reply(Answer):
    id: int
    status: Literal[REPLY_STATUSES]
    body: str
    body_html: str
    author_id: int
    submission_ids: list[int]
    created_at: Moment


class Submitter(Answer):
    name: str
    email: str
    phone: str


class OfficeSubmission(InboxItem):
    body: str
    is_public: bool
    answered_at: Moment | None
    submitter: Submitter
    timeline: list[OfficeTimelineEntry]
    replies: list[Reply]


class TransferResult(Answer):
    id: int
    tracking_no: str
    status: SubmissionStatusCode
    department: Department
    due_on: Day


class OpenApiDocument(BaseModel):
    openapi: str
    paths: dict[str, Any]


DraftPage, CommentPage, MailboxPage, EventPage, InboxPage = (
    page_of(model) for model in (DraftSummary, Comment, Mailbox, Event, InboxItem))
InterviewPage = page_of(InterviewSummary)
