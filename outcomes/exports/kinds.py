"""The registry of export kinds. A kind is what one export job makes: a function that writes the
file and reports its progress, who may ask for it, and how a request of it is described in lists.
Other parts register theirs the same way (the claims list, the case report of a large case), in
their AppConfig.ready or at import of their module, and get the job, its progress page, its
once-only download, its audit and its 24-hour expiry for nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cases.models import User

    from .models import Export


@dataclass(frozen=True)
class Output:
    """What a kind made: the name the download gets and its content type."""

    filename: str
    content_type: str


class Progress:
    """Rows done of rows: the kind says how many rows there will be (`total`), then adds as it
    writes (`add`); the job's row is updated every `every` rows (and its heartbeat with it), so the
    progress page moves and a dead worker shows. The updates are their own statements, outside any
    transaction the kind holds, so the page sees them at once."""

    def __init__(self, export: Export, *, every: int, save: Callable[[Export, int, int | None], None]):
        self.export = export
        self.every = max(1, every)
        self.done = 0
        self.rows_total: int | None = None
        self._save = save
        self._saved_at = 0
        # The people whose records the file holds: its download is logged in each one's access log.
        self.subjects: set[int] = set()

    def total(self, rows: int) -> None:
        self.rows_total = rows
        self._save(self.export, self.done, rows)

    def about(self, person_id: int | None) -> None:
        """The file holds this person's record (None: someone with no person record yet)."""
        if person_id is not None:
            self.subjects.add(person_id)

    def add(self, rows: int = 1) -> None:
        self.done += rows
        if self.done - self._saved_at >= self.every:
            self._saved_at = self.done
            self._save(self.export, self.done, self.rows_total)


@dataclass(frozen=True)
class ExportKind:
    """`make(export=, progress=, out=)` writes the file to the binary file `out` and returns its
    `Output`; it reads its parameters from `export.parameters` (already checked by the form or the
    service that asked). `roles`: who may ask for it; `allows(user)`, if given, a finer rule a user
    holding one of them must meet too (the county's returns: not a partner agency's team manager).
    `describe(parameters)`: the export in a few words, for the lists ("Inspection date 3 March 2027,
    Excel workbook"). `record_type`: how the access log names a download of it ("Exported the
    inspection lists"), one row per person whose record it holds (`Progress.about`)."""

    key: str
    label: str
    roles: frozenset[str]
    make: Callable[..., Output]
    describe: Callable[[dict[str, Any]], str] = field(default=lambda parameters: "")
    record_type: str = "export"
    allows: Callable[[User], bool] | None = None

    def allowed(self, user: User) -> bool:
        return user.is_active and user.has_role(*self.roles) and (self.allows is None or self.allows(user))


KINDS: dict[str, ExportKind] = {}


def register_kind(kind: ExportKind) -> None:
    """Register (or replace, so registering twice is harmless) an export kind."""
    KINDS[kind.key] = kind


def kind_for(key: str) -> ExportKind | None:
    return KINDS.get(key)
