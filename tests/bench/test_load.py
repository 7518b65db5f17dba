"""The load test's preparation: its users can sign in to a server with production settings."""

from django.conf import global_settings
from django.utils.module_loading import import_string

from bench.load import passwords_for_production
from bench.management.commands.generate_dataset import BENCH_PASSWORD
from cases.models import User


def test_users_hashed_under_test_settings_get_a_password_production_checks(db):
    tested = User.objects.create_user(username="bench.duty.1", password=BENCH_PASSWORD)
    untouched = User.objects.create_user(username="someone.else", password=BENCH_PASSWORD)
    before = untouched.password

    passwords_for_production(["bench.duty.1"])

    production_hasher = import_string(global_settings.PASSWORD_HASHERS[0])()
    tested.refresh_from_db()
    untouched.refresh_from_db()
    assert production_hasher.verify(BENCH_PASSWORD, tested.password)
    assert untouched.password == before
