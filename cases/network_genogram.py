"""The family's genogram: who is who to whom, drawn on the server as SVG from the recorded people
(`FamilyMembership`) and relationships (`Relationship`), with a text alternative that lists the same
relationships in sentences.

The usual symbols: a square for a male, a circle for a female, a diamond when the gender is not known
or not stated, a small triangle for an unborn child. A line between partners; the same line crossed by
two slashes for former partners (separated). Children hang from their parents' line (or from their one
recorded parent). Other relationships (grandparent with no parent recorded between, step-parent,
carer, special guardian, a sibling with no parent recorded, other relatives, family friends) are a
dotted line. The household is outlined with a dashed boundary; people beyond it stand outside it.
Names and ages are written under the symbols; a person not to be contacted has a thick red outline
and "Do not contact" under their name.

The layout is deterministic: generations come from the parent, grandparent, partner and sibling
relationships (a parent a row above their child); people with no relationship recorded go by kind
(adults above children). In each row people of the household come first, partners side by side, a
person's current partner on their left and former partners on their right, children under their
parents, then by date of birth and name.

Everything is inside the SVG (presentation attributes, system fonts, no script, no stylesheet), so the
same markup serves the pages and the PDFs that WeasyPrint makes. No address or contact detail is in
it: the caller renders it only for viewers to whom the family's details are visible.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from cases.models import Case, FamilyMembership, Gender, Person, Relationship, User

COLUMN = 130
ROW = 150
MARGIN = 30
SYMBOL = 36
TOP = 40
LABEL_LINE = 14

INK = "#0b0c0c"
OUTLINE = "#505a5f"
WARNING = "#d4351c"
FONT = "Arial, Helvetica, sans-serif"

Kind = Relationship.Kind
# Kinds whose related person is a generation above the person, and how many.
GENERATIONS_UP = {Kind.PARENT: 1, Kind.STEP_PARENT: 1, Kind.CARER: 1, Kind.GUARDIAN: 1, Kind.GRANDPARENT: 2}
SAME_GENERATION = {Kind.PARTNER, Kind.FORMER_PARTNER, Kind.SIBLING, Kind.HALF_SIBLING}
SYMMETRIC = SAME_GENERATION

# What the related person is called, by their gender: (female, male, otherwise).
WORDS = {
    Kind.PARENT: ("mother", "father", "parent"),
    Kind.STEP_PARENT: ("stepmother", "stepfather", "step-parent"),
    Kind.CARER: ("carer", "carer", "carer"),
    Kind.GUARDIAN: ("special guardian", "special guardian", "special guardian"),
    Kind.SIBLING: ("sister", "brother", "sibling"),
    Kind.HALF_SIBLING: ("half-sister", "half-brother", "half-sibling"),
    Kind.GRANDPARENT: ("grandmother", "grandfather", "grandparent"),
    Kind.PARTNER: ("partner", "partner", "partner"),
    Kind.FORMER_PARTNER: ("former partner (separated)", "former partner (separated)", "former partner (separated)"),
    Kind.OTHER_RELATIVE: ("relative", "relative", "relative"),
    Kind.FAMILY_FRIEND: ("family friend", "family friend", "family friend"),
}


@dataclass
class Genogram:
    """The drawing (`svg`, safe markup) and its text alternative (`lines`, plain sentences)."""

    svg: SafeString
    lines: list[str] = field(default_factory=list)


@dataclass
class _Node:
    person: Person
    in_household: bool
    parental_responsibility: bool
    generation: int = 0
    constrained: bool = False
    x: float = 0.0
    y: float = 0.0
    parents: list[int] = field(default_factory=list)

    @property
    def pk(self) -> int:
        return self.person.pk


def age_in_years(born: datetime.date, today: datetime.date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def person_words(person: Person, today: datetime.date | None = None) -> str:
    """What the person is, briefly: "child, 10", "adult, 34", "unborn, due 3 March 2027"."""
    today = today or timezone.localdate()
    if person.kind == Person.Kind.UNBORN:
        due = person.expected_date_of_birth
        return f"unborn, due {due.day} {due:%B %Y}" if due else "unborn"
    kind = "child" if person.kind == Person.Kind.CHILD else "adult"
    if person.date_of_birth:
        return f"{kind}, {age_in_years(person.date_of_birth, today)}"
    return f"{kind}, age not known"


def _age_label(person: Person, today: datetime.date) -> str:
    if person.kind == Person.Kind.UNBORN:
        due = person.expected_date_of_birth
        return f"Due {due.day} {due:%b %Y}" if due else "Unborn"
    if person.date_of_birth:
        return f"Age {age_in_years(person.date_of_birth, today)}"
    return "Age not known"


def relation_word(kind: str, gender: str) -> str:
    female, male, other = WORDS[Kind(kind)]
    return female if gender == Gender.FEMALE else male if gender == Gender.MALE else other


def _people(case: Case) -> list[_Node]:
    memberships = (
        FamilyMembership.objects.filter(family_id=case.family_id)
        .select_related("person")
        .order_by("person__date_of_birth", "person__last_name", "person__first_name", "person_id")
    )
    return [_Node(m.person, m.in_household, m.parental_responsibility) for m in memberships]


def _relationships(nodes: dict[int, _Node]) -> list[Relationship]:
    if not nodes:
        return []
    return list(
        Relationship.objects.filter(person_id__in=list(nodes), related_person_id__in=list(nodes)).order_by(
            "person_id", "related_person_id", "kind", "id"
        )
    )


def _assign_generations(nodes: dict[int, _Node], links: list[Relationship]) -> None:
    """Longest-path generations: the related person of a PARENT link a row above, a GRANDPARENT two
    rows, partners and siblings level; relaxed a bounded number of times (a contradictory record
    stops there rather than looping)."""
    for link in links:
        if link.kind in GENERATIONS_UP or link.kind in SAME_GENERATION:
            nodes[link.person_id].constrained = nodes[link.related_person_id].constrained = True
    _relax(nodes, links)
    # Then each elder comes down to just above their nearest child (a parent recorded only by a
    # grandparent link stays two rows up otherwise), and the rules are restored.
    for _round in range(len(nodes) + 1):
        limits: dict[int, int] = {}
        for link in links:
            if link.kind in GENERATIONS_UP:
                limit = nodes[link.person_id].generation - GENERATIONS_UP[link.kind]
                limits[link.related_person_id] = min(limits.get(link.related_person_id, limit), limit)
        lowered = False
        for pk, limit in sorted(limits.items()):
            if nodes[pk].generation < limit:
                nodes[pk].generation, lowered = limit, True
        if not lowered:
            break
        _relax(nodes, links)
    constrained = [node for node in nodes.values() if node.constrained]
    children = [n.generation for n in constrained if n.person.kind != Person.Kind.ADULT]
    adults = [n.generation for n in constrained if n.person.kind == Person.Kind.ADULT]
    child_row = max(children) if children else (max(adults) + 1 if adults else 1)
    for node in nodes.values():
        if not node.constrained:
            node.generation = child_row if node.person.kind != Person.Kind.ADULT else max(child_row - 1, 0)
    lowest = min((node.generation for node in nodes.values()), default=0)
    for node in nodes.values():
        node.generation -= lowest


def _relax(nodes: dict[int, _Node], links: list[Relationship]) -> bool:
    """Push people down until every parent is a row above their child and partners and siblings are
    level; a bounded number of rounds. Whether anything moved."""
    moved = False
    for _round in range(len(nodes) + 1):
        changed = False
        for link in links:
            child, elder = nodes[link.person_id], nodes[link.related_person_id]
            if link.kind in GENERATIONS_UP:
                wanted = elder.generation + GENERATIONS_UP[link.kind]
                if child.generation < wanted:
                    child.generation, changed = wanted, True
            elif link.kind in SAME_GENERATION and child.generation != elder.generation:
                child.generation = elder.generation = max(child.generation, elder.generation)
                changed = True
        moved = moved or changed
        if not changed:
            break
    return moved


def _order_row(row: list[_Node], partners: dict[int, dict[int, str]], x_of: dict[int, float]) -> list[_Node]:
    """Household first, partners together (current partners left of the person, former ones right),
    children under their parents, then by date of birth and name."""

    def key(node: _Node):
        parent_xs = [x_of[p] for p in node.parents if p in x_of]
        return (
            not node.in_household,
            sum(parent_xs) / len(parent_xs) if parent_xs else 0.0,
            node.person.date_of_birth or node.person.expected_date_of_birth or datetime.date.max,
            node.person.last_name,
            node.person.first_name,
            node.pk,
        )

    by_pk = {node.pk: node for node in row}
    ordered = sorted(row, key=key)
    placed: set[int] = set()
    clusters: list[list[_Node]] = []
    for node in ordered:
        if node.pk in placed:
            continue
        # The cluster: everyone joined to this person by partnerships within the row.
        members, todo = [], [node.pk]
        while todo:
            pk = todo.pop(0)
            if pk in placed or pk not in by_pk:
                continue
            placed.add(pk)
            members.append(by_pk[pk])
            todo.extend(sorted(partners.get(pk, {})))
        members.sort(key=key)
        hub = max(members, key=lambda n: (len([p for p in partners.get(n.pk, {}) if p in by_pk]), -members.index(n)))
        current = [n for n in members if partners.get(hub.pk, {}).get(n.pk) == Kind.PARTNER]
        former = [n for n in members if n is not hub and n not in current]
        clusters.append([*current, hub, *former])
    clusters.sort(key=lambda cluster: min(key(n) for n in cluster))
    return [node for cluster in clusters for node in cluster]


def _n(number: float) -> str:
    return f"{number:.1f}".rstrip("0").rstrip(".")


def _symbol(node: _Node) -> SafeString:
    x, y, half = node.x, node.y, SYMBOL / 2
    stroke, width = (WARNING, 4) if node.person.do_not_contact else (INK, 2)
    common = format_html('fill="#ffffff" stroke="{}" stroke-width="{}"', stroke, width)
    person = node.person
    if person.kind == Person.Kind.UNBORN:
        corners = [(x, y - half * 0.7), (x + half * 0.7, y + half * 0.6), (x - half * 0.7, y + half * 0.6)]
        points = " ".join(f"{_n(cx)},{_n(cy)}" for cx, cy in corners)
        return format_html('<polygon points="{}" {} data-symbol="unborn"/>', points, common)
    if person.gender == Gender.MALE:
        return format_html(
            '<rect x="{}" y="{}" width="{}" height="{}" {} data-symbol="male"/>',
            _n(x - half),
            _n(y - half),
            SYMBOL,
            SYMBOL,
            common,
        )
    if person.gender == Gender.FEMALE:
        return format_html('<circle cx="{}" cy="{}" r="{}" {} data-symbol="female"/>', _n(x), _n(y), _n(half), common)
    points = f"{_n(x)},{_n(y - half)} {_n(x + half)},{_n(y)} {_n(x)},{_n(y + half)} {_n(x - half)},{_n(y)}"
    return format_html('<polygon points="{}" {} data-symbol="unknown"/>', points, common)


def _label(node: _Node, today: datetime.date) -> SafeString:
    person = node.person
    texts = [
        (person.first_name, "bold", INK),
        (person.last_name, "normal", INK),
        (_age_label(person, today), "normal", INK),
    ]
    if person.do_not_contact:
        texts.append(("Do not contact", "bold", WARNING))
    top = node.y + SYMBOL / 2 + 4
    height = LABEL_LINE * len(texts) + 4
    parts = [
        format_html(
            '<rect x="{}" y="{}" width="{}" height="{}" fill="#ffffff" stroke="none"/>',
            _n(node.x - COLUMN / 2 + 6),
            _n(top),
            COLUMN - 12,
            height,
        )
    ]
    for index, (text, weight, colour) in enumerate(texts):
        shown = text if len(text) <= 18 else text[:17] + "…"
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="middle" font-weight="{}" fill="{}">{}</text>',
                _n(node.x),
                _n(top + LABEL_LINE * (index + 1)),
                weight,
                colour,
                shown,
            )
        )
    return format_html_join("", "{}", ((part,) for part in parts))


def _line(x1: float, y1: float, x2: float, y2: float, *, dash: str = "", colour: str = INK) -> SafeString:
    return format_html(
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="2"{}/>',
        _n(x1),
        _n(y1),
        _n(x2),
        _n(y2),
        colour,
        format_html(' stroke-dasharray="{}"', dash) if dash else "",
    )


def _partner_line(a: _Node, b: _Node, kind: str, adjacent: bool, lift: int) -> SafeString:
    left, right = (a, b) if a.x <= b.x else (b, a)
    half = SYMBOL / 2
    if adjacent:
        x1, x2, y = left.x + half, right.x - half, left.y
        parts = [_line(x1, y, x2, y)]
    else:
        y = left.y - half - 10 - 6 * lift
        parts = [
            format_html(
                '<polyline points="{},{} {},{} {},{} {},{}" fill="none" stroke="{}" stroke-width="2"/>',
                _n(left.x),
                _n(left.y - half),
                _n(left.x),
                _n(y),
                _n(right.x),
                _n(y),
                _n(right.x),
                _n(right.y - half),
                INK,
            )
        ]
        x1, x2 = left.x, right.x
    if kind == Kind.FORMER_PARTNER:
        middle = (x1 + x2) / 2
        for offset in (-4, 4):
            parts.append(_line(middle + offset - 4, y + 8, middle + offset + 4, y - 8))
    return format_html_join("", "{}", ((part,) for part in parts))


def _svg(case: Case, nodes: dict[int, _Node], links: list[Relationship], today: datetime.date) -> SafeString:
    rows: dict[int, list[_Node]] = {}
    for node in nodes.values():
        rows.setdefault(node.generation, []).append(node)
    partners: dict[int, dict[int, str]] = {}
    for link in links:
        if link.kind in (Kind.PARTNER, Kind.FORMER_PARTNER):
            partners.setdefault(link.person_id, {})[link.related_person_id] = link.kind
            partners.setdefault(link.related_person_id, {})[link.person_id] = link.kind
    for link in links:
        if link.kind == Kind.PARENT and link.related_person_id not in nodes[link.person_id].parents:
            nodes[link.person_id].parents.append(link.related_person_id)
    x_of: dict[int, float] = {}
    widest = max((len(row) for row in rows.values()), default=1)
    for generation in sorted(rows):
        ordered = _order_row(rows[generation], partners, x_of)
        rows[generation] = ordered
        for index, node in enumerate(ordered):
            node.x = MARGIN + COLUMN / 2 + index * COLUMN
            node.y = TOP + SYMBOL / 2 + generation * ROW
            x_of[node.pk] = node.x
    width = MARGIN * 2 + widest * COLUMN
    height = TOP + ROW * (max(rows, default=0) + 1) + 10
    drawn: list[SafeString] = []

    # The household's dashed boundary, a stepped outline around its people row by row.
    spans = []
    for generation in sorted(rows):
        inside = [n.x for n in rows[generation] if n.in_household]
        if inside:
            spans.append((generation, min(inside) - COLUMN / 2 + 4, max(inside) + COLUMN / 2 - 4))
    if spans:
        points = []
        for generation, _left, right in spans:
            top = TOP + generation * ROW - 8
            points += [(right, top), (right, top + ROW - 16)]
        for generation, left, _right in reversed(spans):
            top = TOP + generation * ROW - 8
            points += [(left, top + ROW - 16), (left, top)]
        drawn.append(
            format_html(
                '<polygon points="{}" fill="none" stroke="{}" stroke-width="1.5" stroke-dasharray="8 5" '
                'data-household="1"/>',
                " ".join(f"{_n(x)},{_n(y)}" for x, y in points),
                OUTLINE,
            )
        )
        last = spans[-1]
        drawn.append(
            format_html(
                '<text x="{}" y="{}" font-size="11" fill="{}">Household</text>',
                _n(last[1] + 6),
                _n(TOP + last[0] * ROW + ROW - 30),
                OUTLINE,
            )
        )

    # Partners.
    done: set[frozenset[int]] = set()
    lift = 0
    for link in links:
        pair = frozenset((link.person_id, link.related_person_id))
        if link.kind not in (Kind.PARTNER, Kind.FORMER_PARTNER) or pair in done:
            continue
        done.add(pair)
        a, b = nodes[link.person_id], nodes[link.related_person_id]
        adjacent = a.generation == b.generation and abs(a.x - b.x) <= COLUMN + 1
        drawn.append(_partner_line(a, b, link.kind, adjacent, lift))
        lift += 0 if adjacent else 1

    # Children from their parents: by parent pair, a drop to a bar above the children.
    families: dict[tuple[int, ...], list[_Node]] = {}
    for node in sorted(nodes.values(), key=lambda n: n.x):
        if node.parents:
            parents = tuple(sorted(node.parents, key=lambda p: (nodes[p].x, p))[:2])
            families.setdefault(parents, []).append(node)
    for parents, children in families.items():
        elders = [nodes[p] for p in parents]
        if len(elders) == 2 and elders[0].generation == elders[1].generation:
            start_x = (elders[0].x + elders[1].x) / 2
            start_y = elders[0].y
            if frozenset(parents) not in done:
                drawn.append(_line(elders[0].x, elders[0].y, elders[1].x, elders[1].y, dash="2 3"))
        else:
            start_x, start_y = elders[0].x, elders[0].y + SYMBOL / 2
        child_top = min(child.y for child in children) - SYMBOL / 2
        bar_y = child_top - 26
        xs = [child.x for child in children] + [start_x]
        drawn.append(_line(start_x, start_y, start_x, bar_y))
        drawn.append(_line(min(xs), bar_y, max(xs), bar_y))
        for child in children:
            drawn.append(_line(child.x, bar_y, child.x, child.y - SYMBOL / 2))

    # Everything else: a dotted line, unless the drawing already says it.
    for link in _other_links(nodes, links):
        a, b = nodes[link.person_id], nodes[link.related_person_id]
        drawn.append(_line(a.x, a.y, b.x, b.y, dash="3 4", colour=OUTLINE))

    for node in nodes.values():
        drawn.append(
            format_html(
                '<g data-person="{}" data-generation="{}">{}{}</g>',
                node.pk,
                node.generation,
                _symbol(node),
                _label(node, today),
            )
        )

    svg_id = f"genogram-{case.pk}"
    household = sum(1 for n in nodes.values() if n.in_household)
    description = (
        f"{len(nodes)} people, {household} of them in the household (inside the dashed outline). "
        "Squares are males, circles females, diamonds people whose gender is not known, triangles unborn "
        "children. A line joins partners; two slashes cross it for former partners. Children hang from "
        "their parents. Dotted lines are other relationships. The relationships are listed in words with "
        "the drawing."
    )
    head = format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="{0}-title {0}-desc" '
        'viewBox="0 0 {1} {2}" width="{1}" height="{2}" '
        'font-family="{3}" font-size="12" fill="{4}" class="app-genogram">'
        '<title id="{0}-title">Genogram of the family</title><desc id="{0}-desc">{5}</desc>',
        svg_id,
        _n(width),
        _n(height),
        FONT,
        INK,
        description,
    )
    # Lines were drawn first (under), then the symbols with their labels, so a line never crosses a name.
    body = format_html_join("", "{}", ((part,) for part in drawn))
    return head + body + mark_safe("</svg>")


def _other_links(nodes: dict[int, _Node], links: list[Relationship]) -> list[Relationship]:
    """The relationships the partner and parent lines do not already show, once per pair."""
    parents = {pk: set(node.parents) for pk, node in nodes.items()}
    seen: set[frozenset[int]] = set()
    others = []
    for link in links:
        if link.kind in (Kind.PARTNER, Kind.FORMER_PARTNER, Kind.PARENT):
            continue
        pair = frozenset((link.person_id, link.related_person_id))
        if link.kind in (Kind.SIBLING, Kind.HALF_SIBLING) and parents[link.person_id] & parents[link.related_person_id]:
            continue
        if link.kind == Kind.GRANDPARENT and any(
            link.related_person_id in parents.get(parent, set()) for parent in parents[link.person_id]
        ):
            continue
        if pair in seen:
            continue
        seen.add(pair)
        others.append(link)
    return others


def _sentences(nodes: dict[int, _Node], links: list[Relationship], today: datetime.date) -> list[str]:
    def who(pk: int) -> str:
        person = nodes[pk].person
        return f"{person.full_name} ({person_words(person, today)})"

    lines: list[str] = []
    seen: set[tuple] = set()
    related: set[int] = set()
    for link in links:
        key = (
            (link.kind, frozenset((link.person_id, link.related_person_id)))
            if link.kind in SYMMETRIC
            else (link.kind, link.person_id, link.related_person_id)
        )
        if key in seen:
            continue
        seen.add(key)
        related.update((link.person_id, link.related_person_id))
        word = relation_word(link.kind, nodes[link.related_person_id].person.gender)
        if link.kind in SYMMETRIC:
            verb = "are former partners (separated)" if link.kind == Kind.FORMER_PARTNER else f"are {word}s"
            if link.kind in (Kind.SIBLING, Kind.HALF_SIBLING):
                verb = "are half-siblings" if link.kind == Kind.HALF_SIBLING else "are siblings"
            elif link.kind == Kind.PARTNER:
                verb = "are partners"
            lines.append(f"{who(link.related_person_id)} and {who(link.person_id)} {verb}.")
        else:
            lines.append(f"{who(link.related_person_id)} is the {word} of {who(link.person_id)}.")
    ordered = sorted(nodes.values(), key=lambda n: (n.generation, n.x))
    household = [n for n in ordered if n.in_household]
    network = [n for n in ordered if not n.in_household]
    if household:
        lines.append("In the household: " + ", ".join(n.person.full_name for n in household) + ".")
    if network:
        lines.append("Outside the household: " + ", ".join(n.person.full_name for n in network) + ".")
    responsible = [n for n in ordered if n.parental_responsibility]
    if responsible:
        lines.append("With parental responsibility: " + ", ".join(n.person.full_name for n in responsible) + ".")
    for node in ordered:
        if node.person.do_not_contact:
            lines.append(f"Do not contact {node.person.full_name}.")
    for node in ordered:
        if node.pk not in related:
            lines.append(f"No relationship is recorded for {who(node.pk)}.")
    return lines


def genogram_for_case(case: Case, *, user: User) -> Genogram:
    """The genogram of the case's family. Two queries. For a viewer to whom the family's details are
    visible (the caller checks `case.details_visible`); nobody else gets a drawing, only an empty one."""
    if not getattr(case, "details_visible", False) or not user.is_authenticated:
        return Genogram(svg=mark_safe(""), lines=[])
    today = timezone.localdate()
    nodes = {node.pk: node for node in _people(case)}
    links = _relationships(nodes)
    _assign_generations(nodes, links)
    svg = _svg(case, nodes, links, today) if nodes else mark_safe("")
    return Genogram(svg=svg, lines=_sentences(nodes, links, today))
