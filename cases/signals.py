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
