"""Boards on the server: shots, takes linked by parent job, notes in force, picks."""

from .repository import BoardRepository
from .service import BoardError, BoardService

__all__ = ["BoardRepository", "BoardService", "BoardError"]
