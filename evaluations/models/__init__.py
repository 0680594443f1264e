"""The evaluation models, one module per sub-domain, re-exported here for Django and for callers."""

from .analysis import (
    LectureAnalysis,
    LectureAnalysisQuerySet,
)
from .competition import (
    AudienceScore,
    Competition,
    CompetitionQuerySet,
    CompetitionResult,
    Entry,
    JudgeAssignment,
    JudgeFlag,
    JudgeScore,
    PeerScore,
)
from .feedback import (
    DANMAKU_MAX_CHARS,
    MESSAGE_MAX_CHARS,
    MOMENT_MAX_SECONDS,
    FieldVisit,
    FieldVisitFinding,
    FieldVisitParticipants,
    PublicComment,
)
from .notifications import (
    Notification,
)
from .results import (
    FollowUp,
    LectureResult,
    ResultAction,
    SessionResult,
    TraineeFigures,
)
from .review import (
    ReviewCycle,
    ReviewCycleQuerySet,
    ReviewProposal,
    ReviewProposalQuerySet,
    ReviewVeto,
)
from .settings import (
    Dimension,
    Indicator,
    IndicatorSystem,
    RaterRole,
    ScoringSettings,
)
from .survey import (
    Answer,
    Comment,
    DeviceVote,
    Evaluation,
    PendingSheet,
    RaterAnswer,
    RaterAssignment,
    Response,
    Subject,
    new_link_secret,
)

__all__ = [
    "RaterRole",
    "ScoringSettings",
    "IndicatorSystem",
    "Dimension",
    "Indicator",
    "new_link_secret",
    "Subject",
    "Evaluation",
    "DeviceVote",
    "PendingSheet",
    "Response",
    "Answer",
    "Comment",
    "RaterAssignment",
    "RaterAnswer",
    "TraineeFigures",
    "LectureResult",
    "SessionResult",
    "FollowUp",
    "ResultAction",
    "Notification",
    "ReviewCycleQuerySet",
    "ReviewCycle",
    "ReviewProposalQuerySet",
    "ReviewProposal",
    "ReviewVeto",
    "CompetitionQuerySet",
    "Competition",
    "Entry",
    "JudgeAssignment",
    "JudgeScore",
    "PeerScore",
    "AudienceScore",
    "CompetitionResult",
    "JudgeFlag",
    "LectureAnalysisQuerySet",
    "LectureAnalysis",
    "DANMAKU_MAX_CHARS",
    "MESSAGE_MAX_CHARS",
    "MOMENT_MAX_SECONDS",
    "PublicComment",
    "FieldVisit",
    "FieldVisitParticipants",
    "FieldVisitFinding",
]
