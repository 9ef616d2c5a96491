"""The board audit: does every shot show its subject, from a real setup? Pure Python."""

from .facts import ActorFacts, ShotFacts, subject_of
from .report import AuditInputError, format_table, load_board, summary_line
from .rules import Violation, audit

__all__ = ["ActorFacts", "AuditInputError", "ShotFacts", "Violation", "audit", "format_table", "load_board",
           "subject_of", "summary_line"]
