"""Plain value types of the MLTRL domain. No I/O, no database, no framework."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

MIN_LEVEL = 0
MAX_LEVEL = 9
LEVELS = range(MIN_LEVEL, MAX_LEVEL + 1)

#: MLTRL's four phases. The catalogue (shipped data) describes them in full; this
#: copy lets fast read paths name a level's phase without loading the catalogue,
#: and a test keeps the two in step.
PHASES: dict[str, range] = {
    "research": range(0, 3),
    "prototyping": range(3, 6),
    "productization": range(6, 8),
    "deployment": range(8, 10),
}


#: Days between the recurring reviews of a deployed component, unless a policy says otherwise. Kept
#: here (not only in the catalogue's settings) so that ``status`` knows it without loading pydantic.
DEFAULT_REVIEW_EVERY_DAYS = 90


def phase_of(level: int) -> str:
    return next(name for name, levels in PHASES.items() if level in levels)


class ComponentKind(StrEnum):
    MODEL = "model"
    ALGORITHM = "algorithm"
    DATASET = "dataset"
    DATA_PIPELINE = "data-pipeline"
    SOFTWARE_MODULE = "software-module"
    COMPOSITE = "composite"


class Status(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    RETIRED = "retired"
    #: Proposed to enter above the level a reason alone allows; its entry review decides.
    ENTERING = "entering"


class EventKind(StrEnum):
    INITIATE = "initiate"
    FORK = "fork"  # a component that starts life in a forked project, carrying its parent's history
    GRADUATE = "graduate"
    #: A graduation from before the registry kept the component, loaded as history (not reviewed here).
    IMPORT = "import"
    #: Starts the log of a component that asks to enter high: it waits, ENTERING, for its entry review.
    PROPOSE = "propose"
    #: The entry review passed the gate into the starting level: the component is active there.
    ENTER = "enter"
    SWITCHBACK = "switchback"
    PAUSE = "pause"
    RESUME = "resume"
    RETIRE = "retire"


#: Events that start a component's log.
STARTING_EVENTS = frozenset({EventKind.INITIATE, EventKind.FORK, EventKind.PROPOSE})


class SwitchbackKind(StrEnum):
    DISCOVERY = "discovery"  # a gap found while building, e.g. back to research from a PoC
    REVIEW = "review"  # a gated review decided to send the work back
    EMBEDDED = "embedded"  # one of the switchbacks MLTRL predefines in its process


class VersionKind(StrEnum):
    CODE = "code"
    MODEL = "model"
    DATA = "data"


#: The switchbacks the paper builds into the process: 4->2 (back to research
#: after a proof of concept), 9->4 (a deployed system returns to R&D) and 9->7,
#: 9->6, 9->5 (any change to a deployed component sends it back to "level 7 or
#: earlier", through integration).
EMBEDDED_SWITCHBACKS: frozenset[tuple[int, int]] = frozenset({(4, 2), (9, 4), (9, 5), (9, 6), (9, 7)})


@dataclass(frozen=True)
class Transition:
    """One entry of a component's append-only event log."""

    kind: EventKind
    to_level: int
    at: datetime
    actor: str
    from_level: int | None = None
    reason: str = ""
    switchback_kind: SwitchbackKind | None = None
    approver: str | None = None
    #: For starting events: the level below which the component never went.
    entry_level: int | None = None


@dataclass(frozen=True)
class ComponentState:
    """What the event log folds into: the current lifecycle state of one component."""

    level: int
    entry_level: int
    status: Status
    seq: int  # how many events have been applied; the next event gets seq + 1
    last_at: datetime


@dataclass(frozen=True)
class Approval:
    """Who approved leaving ``level``.

    Until gated reviews exist, a graduation names its approver. A review
    decision produces the same shape (level + approvers), so the rule that
    checks it does not change when reviews arrive.
    """

    level: int | None  # None only for imported history: whatever gate the component stood at
    approvers: tuple[str, ...]
    source: str = "approver"  # "review:<id>" or "import"

    @property
    def describe(self) -> str:
        return ", ".join(self.approvers)


@dataclass(frozen=True)
class Part:
    """A component as seen by the system-TRL roll-up."""

    code: str
    level: int
    status: Status
    kind: ComponentKind
    parent: str | None = None
