"""Extension points of the shared record: how the apps above `cases` add their parts to its pages
without `cases` importing them (the way Django's admin lets apps register their ModelAdmins).

In its `AppConfig.ready`, an app registers on `registry`:
- `MenuItem`s: the service navigation, shown by role (and whether the user belongs to an agency);
- `HomePanel`s: parts of a role's home page, each a template and a function giving its context;
- `CaseSection`s: parts of the case page, in order, each a template and a function giving its
  context for the case being shown (None leaves the section out);
- `CaseAction`s: the buttons at the top of the case page, each with who may take it now;
- `MoveQuestions`: questions an app adds to a lifecycle move's page (the closure request and its
  sign-off), checked with the move's own and saved in the same transaction, after the move.

Each context function runs a small, fixed number of queries, however much data there is: the case
page and the home page assert their query counts in tests. `cases` registers its own parts the
same way (cases/parts.py), so what a newcomer sees on a page is the list in `registry`, in order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest

if TYPE_CHECKING:
    from .models import Case, User


@dataclass(frozen=True)
class MenuItem:
    """A link in the service navigation, for users holding one of `roles` (everyone signed in when
    empty) and, with `needs_agency`, only for users who belong to an agency. What the menu shows
    depends on nothing else, so it is worked out once per combination of roles."""

    label: str
    url_name: str
    roles: frozenset[str] = frozenset()
    needs_agency: bool = False
    order: int = 100

    def shown(self, roles: frozenset[str], has_agency: bool) -> bool:
        return (not self.roles or bool(self.roles & roles)) and (has_agency or not self.needs_agency)


@dataclass(frozen=True)
class HomePanel:
    """A part of the home page for users holding one of `roles`: `template` rendered with
    `panel` = `context(request)`, or left out when that is None."""

    key: str
    roles: frozenset[str]
    template: str
    context: Callable[[HttpRequest], dict[str, Any] | None]
    order: int = 100


@dataclass(frozen=True)
class CaseSection:
    """A part of the case page: `template` rendered with `section` = `context(request, case)`, or
    left out when that is None. `case` comes from `case_get_for_user`: it carries `perms` (the
    viewer's permissions on it) and `details_visible` (whether the family's details may be shown)."""

    key: str
    template: str
    context: Callable[[HttpRequest, Case], dict[str, Any] | None]
    order: int = 100


@dataclass(frozen=True)
class CaseAction:
    """A button on the case page: shown when `allowed(user, case)`, linking to `url(case)`."""

    key: str
    label: str
    url: Callable[[Case], str]
    allowed: Callable[[User, Case], bool]
    order: int = 100


@dataclass(frozen=True)
class MoveQuestions:
    """Questions an app asks on the page of a lifecycle move named in `actions` (`request_closure`,
    `sign_off_closure`, `return_closure`): `form(case, data, files, action)` builds them (a GDSForm
    with its own prefix, None when there is nothing to ask for this case) and they are shown after
    the move's own questions, checked with them; once the move is made, `save(form, case, actor,
    action, move)` keeps the answers in the same transaction (`move`: the move's own cleaned data).
    A ValidationError from `save` undoes the move and is shown on the form."""

    key: str
    actions: frozenset[str]
    form: Callable[..., Any]
    save: Callable[..., None]
    order: int = 100


@dataclass
class Registry:
    menu_items: list[MenuItem] = field(default_factory=list)
    home_panels: list[HomePanel] = field(default_factory=list)
    case_sections: list[CaseSection] = field(default_factory=list)
    case_actions: list[CaseAction] = field(default_factory=list)
    move_questions: list[MoveQuestions] = field(default_factory=list)

    def add(self, *parts: MenuItem | HomePanel | CaseSection | CaseAction | MoveQuestions) -> None:
        """Register parts; each kind is kept in order (by `order`, then as registered). A part whose
        key (or URL name, for menu items) is already registered replaces it, so registering twice
        is harmless."""
        for part in parts:
            kind = self._list_of(part)
            kind[:] = [p for p in kind if self._key(p) != self._key(part)] + [part]
            kind.sort(key=lambda p: p.order)

    def _list_of(self, part) -> list:
        for kind, parts in (
            (MenuItem, self.menu_items),
            (HomePanel, self.home_panels),
            (CaseSection, self.case_sections),
            (CaseAction, self.case_actions),
            (MoveQuestions, self.move_questions),
        ):
            if isinstance(part, kind):
                return parts
        raise TypeError(f"not a part of a page: {part!r}")

    @staticmethod
    def _key(part) -> str:
        return part.url_name if isinstance(part, MenuItem) else part.key

    def menu(self, roles: frozenset[str], has_agency: bool) -> list[MenuItem]:
        return [item for item in self.menu_items if item.shown(roles, has_agency)]

    def panels_for(self, user: User) -> list[HomePanel]:
        return [panel for panel in self.home_panels if user.has_role(*panel.roles)]

    def actions_for(self, user: User, case: Case) -> list[CaseAction]:
        return [action for action in self.case_actions if action.allowed(user, case)]

    def questions_for(self, action: str) -> list[MoveQuestions]:
        return [questions for questions in self.move_questions if action in questions.actions]


registry = Registry()
