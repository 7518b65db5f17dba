from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.forms import ClosureForm


def test_a_list_of_choices_is_read_with_one_query(db):
    form = ClosureForm()

    with CaptureQueriesContext(connection) as captured:
        html = str(form["reason"])

    assert "Outcomes met" in html
    assert len(captured.captured_queries) == 1
