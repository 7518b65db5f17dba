"""Precompiled queries: compiled once, then the same answers as the queryset they were written as."""

import pytest
from django.core.paginator import Paginator
from django.db.models.sql import compiler

from cases.models import ChronologyEntry
from earlyhelp.db.precompiled import Precompiled
from tests.factories import AgencyFactory, FamilyFactory, UserFactory


@pytest.fixture
def two_families(db):
    families = [FamilyFactory(), FamilyFactory()]
    authors = [UserFactory(agency=AgencyFactory()), UserFactory(agency=AgencyFactory())]
    for n, family in enumerate(families):
        for k in range(5 + n * 3):
            ChronologyEntry.objects.create(
                family=family, author=authors[k % 2], author_agency=authors[k % 2].agency, summary=f"{family.pk}-{k}"
            )
    return families, authors


def timeline(family_id):
    return (
        ChronologyEntry.objects.filter(family_id=family_id)
        .select_related("author", "author_agency")
        .order_by("-occurred_at", "-id")
    )


def test_each_call_binds_its_own_ids_and_matches_the_queryset(two_families):
    families, _ = two_families
    query = Precompiled(timeline)

    for family in [*families, families[0]]:
        assert query(family_id=family.pk) == list(timeline(family.pk))


def test_related_rows_come_with_the_rows_in_one_query(two_families, django_assert_num_queries):
    families, authors = two_families
    query = Precompiled(timeline)
    query(family_id=families[0].pk)  # compiled here

    with django_assert_num_queries(1):
        entries = query(family_id=families[1].pk)
        names = {(entry.author.get_full_name(), entry.author_agency.name) for entry in entries}

    assert names == {(author.get_full_name(), author.agency.name) for author in authors}


def test_it_is_compiled_once(two_families, monkeypatch):
    families, _ = two_families
    query = Precompiled(timeline)
    query(family_id=families[0].pk)
    compiled = []
    original = compiler.SQLCompiler.as_sql
    monkeypatch.setattr(
        compiler.SQLCompiler, "as_sql", lambda self, *a, **k: compiled.append(1) or original(self, *a, **k)
    )

    query(family_id=families[1].pk)
    query.count(family_id=families[1].pk)
    query.page(family_id=families[1].pk, limit=3, offset=2)

    assert compiled == []


def test_pages_and_counts(two_families):
    families, authors = two_families
    by_agency = Precompiled(lambda family_id, agency_id: timeline(family_id).filter(author_agency_id=agency_id))
    everything = list(timeline(families[1].pk))

    assert Precompiled(timeline).count(family_id=families[1].pk) == 8
    assert Precompiled(timeline).page(family_id=families[1].pk, limit=3, offset=2) == everything[2:5]
    assert by_agency(family_id=families[1].pk, agency_id=authors[0].agency_id) == [
        e for e in everything if e.author_agency_id == authors[0].agency_id
    ]
    assert by_agency.count(family_id=families[0].pk, agency_id=authors[1].agency_id) == 2


def test_a_paginator_pages_a_lazy_list_like_a_queryset(two_families):
    families, _ = two_families
    everything = list(timeline(families[1].pk))

    paginator = Paginator(Precompiled(timeline).lazy(family_id=families[1].pk), 3)
    last = paginator.get_page(3)

    assert paginator.count == 8 and paginator.num_pages == 3
    assert list(paginator.get_page(2).object_list) == everything[3:6]
    assert list(last.object_list) == everything[6:]


def test_only_ids_and_always_the_same_ids(two_families):
    families, _ = two_families
    query = Precompiled(timeline)

    with pytest.raises(TypeError, match="must be an id"):
        query(family_id=str(families[0].pk))
    query(family_id=families[0].pk)
    with pytest.raises(TypeError, match="expected the ids family_id"):
        query(family=families[0].pk)


def test_an_id_the_query_does_not_use_is_refused(db):
    with pytest.raises(ValueError, match="does not use agency_id"):
        Precompiled(lambda family_id, agency_id: timeline(family_id))(family_id=1, agency_id=2)


def test_prefetching_is_refused(db):
    with pytest.raises(ValueError, match="cannot prefetch"):
        Precompiled(lambda family_id: timeline(family_id).prefetch_related("family__memberships"))(family_id=1)


def test_a_sliced_query_is_refused(db):
    with pytest.raises(ValueError, match="not sliced"):
        Precompiled(lambda family_id: timeline(family_id)[:5])(family_id=1)
