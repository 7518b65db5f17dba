"""The outbox drain of `make bench`, at a small size: every message of the backlog sent once, by
several sender processes sharing the rows, with the email backend writing files."""

from bench.drain import drain_within_budget, measure_drain
from bench.management.commands.run_bench import BUDGETS, PARTS
from cases.models import Notification


def test_a_small_backlog_is_drained_once_each_by_two_sender_processes(transactional_db, tmp_path):
    drain = measure_drain(messages=600, workers=2, mail_dir=tmp_path / "mail")

    assert drain["sent"] == 600
    assert drain["left"] == 0
    assert drain["files_messages"] == 600
    assert drain["sent_twice"] == 0
    assert sum(drain["sent_by_worker"]) == 600
    assert all(drain["sent_by_worker"])  # both processes took a share
    assert not Notification.objects.exists()  # the backlog is removed afterwards


def test_the_drain_budget_is_300000_messages_in_5_minutes():
    assert "drain" in PARTS
    assert BUDGETS["drain_300k_s"] == 300
    done = {"messages": 300_000, "left": 0, "files_messages": 300_000, "sent_twice": 0}

    budget = BUDGETS["drain_300k_s"]

    assert drain_within_budget({**done, "seconds": 299.0}, seconds_for_300k=budget)
    assert not drain_within_budget({**done, "seconds": 301.0}, seconds_for_300k=budget)
    assert not drain_within_budget({**done, "seconds": 100.0, "sent_twice": 1}, seconds_for_300k=budget)
    assert not drain_within_budget({**done, "seconds": 100.0, "left": 3}, seconds_for_300k=budget)
    # A smaller run is held to the same rate: 1,000 a second.
    small = {**done, "messages": 3_000, "files_messages": 3_000}
    assert drain_within_budget({**small, "seconds": 2.9}, seconds_for_300k=budget)
    assert not drain_within_budget({**small, "seconds": 3.1}, seconds_for_300k=budget)


def test_the_report_shows_the_drain_against_its_budget():
    from io import StringIO

    from bench.management.commands.run_bench import Command

    drain = {"messages": 3_000, "left": 0, "files_messages": 3_000, "sent_twice": 0, "seconds": 2.5}
    out = StringIO()
    Command(stdout=out).report({"pages": {}, "drain": drain})
    slow = StringIO()
    Command(stdout=slow).report({"pages": {}, "drain": {**drain, "seconds": 3.5}})

    assert "outbox drain 3,000 s" in out.getvalue()
    assert "(budget 3.0, each once) ok" in out.getvalue()
    assert "(budget 3.0, each once) OVER" in slow.getvalue()
