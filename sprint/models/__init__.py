"""All models, importable from one place."""

from .enums import (
    ApplicationStatus, CollegeKind, ExtensionKind, HostMemberRole, HostSize, MatchMode, Outcome, Phase,
    PlacementStatus, PositionStatus, Role, RunStatus, WorkMode, utcnow
)
from .matching import AuditEvent, ImportReceipt, MatchAssignment, MatchRun, Placement, RunExplanation
from .programs import College, Season, Program
from .market import (
    Application, CandidateReview, DeadlineExtension, HostRank, Position, PositionInterest, PositionSkill,
    StudentRank
)
from .people import HostCompany, HostMember, Invitation, Skill, StudentProfile, User

__all__ = [
    "Application", "ApplicationStatus", "CandidateReview", "DeadlineExtension", "ExtensionKind", "AuditEvent", "College", "CollegeKind", "Season", "HostCompany",
    "HostMember", "HostMemberRole", "HostRank", "HostSize", "ImportReceipt", "Invitation", "MatchAssignment", "MatchMode",
    "MatchRun", "Outcome", "Phase", "Placement", "PlacementStatus", "RunExplanation", "Position", "PositionInterest",
    "PositionSkill", "PositionStatus", "Program", "Role", "RunStatus", "Skill", "StudentProfile",
    "StudentRank", "User", "WorkMode", "utcnow",
]
