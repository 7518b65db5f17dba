"""A mixed, signed-in workload: duty managers on the queue and triage, lead professionals on their
cases, partners on their referrals, analysts on figures. Users sign in through the real form."""

import os
import random
import re

from locust import HttpUser, between, constant_throughput, task

PASSWORD = "bench-password-123"
USERS = os.environ.get("BENCH_USERS", "").split(",")
RATE = float(os.environ.get("BENCH_RATE_PER_USER", "0"))


class Practitioner(HttpUser):
    wait_time = constant_throughput(RATE) if RATE else between(0.05, 0.2)

    def on_start(self):
        self.username = random.choice(USERS)
        page = self.client.get("/accounts/sign-in/", name="sign-in")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        self.client.post(
            "/accounts/sign-in/",
            {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            name="sign-in",
        )
        self.case_ids = []
        self.referral_ids = []
        if "duty" in self.username:
            queue = self.client.get("/front-door/", name="/front-door/")
            self.referral_ids = [int(x) for x in re.findall(r"/front-door/referrals/(\d+)/", queue.text)]
        else:
            home = self.client.get("/", name="/")
            self.case_ids = [int(x) for x in re.findall(r"/cases/(\d+)/", home.text)]

    @task(4)
    def home(self):
        self.client.get("/", name="/")

    @task(3)
    def work(self):
        if self.referral_ids:
            self.client.get(f"/front-door/referrals/{random.choice(self.referral_ids)}/", name="triage")
            self.client.get(f"/front-door/?page={random.randint(1, 20)}", name="queue")
        elif self.case_ids:
            self.client.get(f"/cases/{random.choice(self.case_ids)}/", name="case")
        else:
            self.client.get("/cases/", name="case list")

    @task(1)
    def api(self):
        self.client.get("/api/v1/cases/", name="api cases")
