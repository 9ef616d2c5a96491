"""The actor store under its first name: ``ActorStore`` is the actor database's repository."""

from .errors import ActorStoreError
from .repository import APPROVE_RATE, REJECT_RATE, ActorRepository

ActorStore = ActorRepository

__all__ = ["APPROVE_RATE", "REJECT_RATE", "ActorStore", "ActorStoreError"]
