"""A mixed, signed-in workload: duty managers on the queue and triage, lead professionals on their
cases, partners on their referrals, analysts on figures, panel coordinators on their panel's waiting
list and next meeting. Users sign in through the real form.

Signing in is slow by design (PBKDF2 with a million rounds) and a practitioner does it once a day:
the figures are of the working day after everyone has signed in, so the statistics start again when
the last user has, and the run ends BENCH_SECONDS later. A failed sign-in is still counted: it is
written to the file named by BENCH_REPORT when the run ends."""

import json
import os
import random
import re

import gevent
from locust import FastHttpUser, between, constant_throughput, events, task

PASSWORD = "bench-password-123"
USERS = os.environ.get("BENCH_USERS", "").split(",")
RATE = float(os.environ.get("BENCH_RATE_PER_USER", "0"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "0"))
SIGN_INS = {"started": 0, "done": 0, "failed": 0, "reasons": {}}


@events.quitting.add_listener
def _report(environment, **_kwargs):
    if os.environ.get("BENCH_REPORT"):
        with open(os.environ["BENCH_REPORT"], "w") as handle:
            json.dump(
                {
                    "sign_ins": SIGN_INS["done"],
                    "sign_in_failures": SIGN_INS["failed"],
                    "sign_in_failure_reasons": SIGN_INS["reasons"],
                },
                handle,
            )


class Practitioner(FastHttpUser):
    wait_time = constant_throughput(RATE) if RATE else between(0.05, 0.2)

    def on_start(self):
        # Users are taken in turn from a list that interleaves the roles, so every run has the same mix.
        self.username = USERS[SIGN_INS["started"] % len(USERS)]
        SIGN_INS["started"] += 1
        page = self.client.get("/accounts/sign-in/", name="sign-in")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        with self.client.post(
            "/accounts/sign-in/",
            data={"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            name="sign-in",
            catch_response=True,
        ) as response:
            # A sign-in the server never answered (a connection error or a timeout) has no text: it
            # fails like one refused, and the run goes on to count it rather than lose this user.
            if "Sign out" not in (response.text or ""):
                SIGN_INS["failed"] += 1
                reason = getattr(response, "error", None) or f"status {response.status_code}"
                SIGN_INS["reasons"][str(reason)[:200]] = SIGN_INS["reasons"].get(str(reason)[:200], 0) + 1
                response.failure(f"not signed in: {reason}")
        SIGN_INS["done"] += 1
        if SIGN_INS["done"] == self.environment.runner.target_user_count:
            self.environment.runner.stats.reset_all()
            if SECONDS:
                gevent.spawn_later(SECONDS, self.environment.runner.quit)
        self.case_ids = []
        self.referral_ids = []
        self.panel_pages = []
        if "duty" in self.username:
            queue = self.client.get("/front-door/", name="/front-door/")
            self.referral_ids = [int(x) for x in re.findall(r"/front-door/referrals/(\d+)/", queue.text)]
        elif "panel" in self.username:
            # Their panel's waiting list and its meetings, as the panels page links to them.
            panels = self.client.get("/panels/", name="panels")
            self.panel_pages = [
                *((url, "waiting list") for url in re.findall(r"/panels/\d+/waiting-list/", panels.text)),
                *((url, "meeting") for url in re.findall(r"/panels/meetings/\d+/", panels.text)),
            ]
        else:
            home = self.client.get("/", name="/")
            self.case_ids = [int(x) for x in re.findall(r"/cases/(\d+)/", home.text)]

    @task(4)
    def home(self):
        self.client.get("/", name="/")

    # Each task asks for one page, so that users paced to a number of tasks a second ask for that
    # many pages.
    @task(3)
    def work(self):
        if self.referral_ids and random.random() < 0.5:
            self.client.get(f"/front-door/referrals/{random.choice(self.referral_ids)}/", name="triage")
        elif self.referral_ids:
            self.client.get(f"/front-door/?page={random.randint(1, 20)}", name="queue")
        elif self.panel_pages:
            url, name = random.choice(self.panel_pages)
            self.client.get(url, name=name)
        elif "analyst" in self.username:
            self.client.get("/cases/figures/", name="figures")
        elif self.case_ids:
            self.client.get(f"/cases/{random.choice(self.case_ids)}/", name="case")
        else:
            self.client.get("/cases/", name="case list")

    @task(1)
    def api(self):
        if "analyst" in self.username:  # aggregates only: no list of cases, by the page or the API
            self.client.get("/", name="/")
        else:
            self.client.get("/api/v1/cases/", name="api cases")
