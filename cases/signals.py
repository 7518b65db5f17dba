"""Signals of the shared record, for the apps built on it.

`case_moved`: a case moved along its lifecycle (`services.ALLOWED_TRANSITIONS`). Sent by
`services._transition` after the new status is saved and the move recorded in the chronology,
inside the move's transaction: a receiver's writes (a message to the panel's coordinator in the
outbox, say) are saved with the move or not at all, and a receiver that raises undoes the move.
Arguments: `sender` (the `Case` model), `case` (the case as saved), `action` (the move's action,
for example "close_unallocated" or "return_to_panel"), `from_status`, `to_status` (`CaseStatus`
values) and `actor` (the user who made the move).

A lead professional changed on a led case, or a case joined by the front door, is no move and sends
nothing.
"""

import django.dispatch

case_moved = django.dispatch.Signal()

case_panel_withdrawn = django.dispatch.Signal()
"""`case_panel_withdrawn`: a case stopped waiting for the panel without moving along its lifecycle (the
front door amended the decision that sent it there: `services.case_withdraw_from_panel`). Sent after
the save and the chronology, inside the transaction, like `case_moved`. Arguments: `sender` (the
`Case` model), `case` (as saved) and `actor`. A case that stops waiting by a move (allocated, closed)
sends `case_moved` instead."""
