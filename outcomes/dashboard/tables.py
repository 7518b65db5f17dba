"""The dashboard's figures as tables: what each cell holds, how small numbers are hidden, and how a
cell is written on the page, in a CSV file and in the API's JSON.

Every figure that leaves a query goes through `shown` before anyone sees it, on the page as in the
CSV, the PDF and the API: a count of 1 to 4 becomes "fewer than 5" (zero stays zero), and a
percentage, median, percentile or average made from fewer than 5 records is not shown at all
("suppressed"). The page follows the same rule as the downloads, so what is printed or copied from
the screen never says more than the CSV. (Primary suppression only: a total beside its parts may
still let a reader work a small number out; no table here shows a total beside all of its parts.)
"""

from __future__ import annotations

from dataclasses import dataclass, field

SMALL = 5
FEWER_THAN_5 = "fewer than 5"
SUPPRESSED = "suppressed"
NOT_RECORDED = "Not recorded"

LABEL, COUNT, SHARE, MEASURE = "label", "count", "share", "measure"


@dataclass(frozen=True)
class Share:
    """A percentage: `part` of `whole` (both counts)."""

    part: int
    whole: int


@dataclass(frozen=True)
class Measure:
    """A figure made from `n` records: a median, a percentile or an average."""

    value: float | None
    n: int


@dataclass(frozen=True)
class Column:
    heading: str
    kind: str = COUNT


@dataclass
class Table:
    """One table of the dashboard: a label column, then figures. `chart` is the index of the count
    column drawn as bars beside it (None: the table stands alone)."""

    key: str
    title: str
    section: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    chart: int | None = 1
    note: str = ""

    def shown_rows(self) -> list[list]:
        """The rows as anyone outside the database may see them (`shown`)."""
        return [[shown(value) for value in row] for row in self.rows]


def shown(value):
    """A cell as it may leave the system: small counts and what is made from them hidden."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, Share):
        if value.whole == 0:
            return None
        if value.whole < SMALL or 0 < value.part < SMALL:
            return SUPPRESSED
        return round(100 * value.part / value.whole)
    if isinstance(value, Measure):
        if value.n == 0 or value.value is None:
            return None
        if value.n < SMALL:
            return SUPPRESSED
        return round(float(value.value), 1)
    if isinstance(value, int):
        return FEWER_THAN_5 if 0 < value < SMALL else value
    return value


def page_text(value, kind: str) -> str:
    """A shown cell as the page and the PDF write it."""
    if value is None:
        return "No figure"
    if isinstance(value, str):
        return value
    if kind == SHARE:
        return f"{value}%"
    if kind == MEASURE:
        return f"{value:,.1f}"
    return f"{value:,}"


# A spreadsheet reads a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_value(value):
    """A shown cell in a CSV file: numbers as numbers, nothing for no figure, and a name a council
    typed (an agency's, a locality's) that a spreadsheet would take for a formula kept as text."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return f"'{value}"
    return value


def table_json(table: Table) -> dict:
    return {
        "key": table.key,
        "title": table.title,
        "section": table.section,
        "note": table.note,
        "columns": [{"heading": column.heading, "kind": column.kind} for column in table.columns],
        "rows": table.shown_rows(),
    }
