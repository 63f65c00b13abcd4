"""Import every model so the metadata (and Alembic) sees the whole schema."""

from consult.accounts.models import Department, User  # noqa: F401
from consult.notify.models import OutboxMessage  # noqa: F401
from consult.workdays import CalendarOverride  # noqa: F401
from consult.tracking.models import (  # noqa: F401
    ExtensionRequest,
    Reply,
    ReplyTemplate,
    Submission,
    TimelineEvent,
    TrackingCounter,
)
from consult.tracking.alerts import DeadlineAlert  # noqa: F401
from consult.events.models import Event, EventQuestion, Registration  # noqa: F401
from consult.uploads import Attachment  # noqa: F401
from consult.drafts.models import (  # noqa: F401
    Article,
    Comment,
    CommentReport,
    Draft,
    DraftFile,
    DraftVersion,
    QAPair,
    SensitiveWord,
)
from consult.mailbox.models import Letter, Mailbox  # noqa: F401
from consult.interviews.models import Answer, AnswerFile, Interview, Official, Question, TranscriptEntry  # noqa: F401
from consult.api.models import ApiToken, IdempotencyRecord  # noqa: F401
from consult.disclosure.models import DisclosureRequest, OpennessReportFigures  # noqa: F401
from consult.open311.models import Open311Key  # noqa: F401
from consult.practice.models import AnnualReportPublication, PracticeSettings, RatingAppeal, RectificationTask  # noqa: F401,E501
from consult.search.schema import similar_terms  # noqa: F401
from consult.workbench.models import (  # noqa: F401
    AnalysisMember,
    AnalysisRun,
    AnalysisUnit,
    CampaignSignature,
    StanceLexicon,
    UnitChange,
)
from consult.surveys.models import (  # noqa: F401
    Questionnaire, SurveyAnswer, SurveyOption, SurveyQuestion, SurveyResponse,
)
from consult.search import documents, schema  # noqa: F401,E402  -- the search index follows the models
