"""Synthetic identifiers and names for demo data and tests: never real people. NHS numbers come
from the 999 range reserved for testing; UPNs carry a valid check letter."""

from __future__ import annotations

import random

from .validators import nhs_number_is_valid, upn_check_letter

FIRST_NAMES_CHILD = [
    "Amara",
    "Leo",
    "Zoë",
    "Oliver",
    "Aisha",
    "Noah",
    "Maya",
    "Jayden",
    "Freya",
    "Kwame",
    "Isla",
    "Mohammed",
    "Ruby",
    "Tomasz",
    "Ava",
    "Dylan",
    "Siobhán",
    "Arjun",
    "Lily",
    "Kacper",
    "Mei",
    "Ethan",
    "Chloe",
    "Yusuf",
]
FIRST_NAMES_ADULT = [
    "Sarah",
    "David",
    "Fatima",
    "James",
    "Agnieszka",
    "Michael",
    "Priya",
    "Daniel",
    "Grace",
    "Adebayo",
    "Emma",
    "Hassan",
    "Claire",
    "Liam",
    "Thi Hoa",
    "Niamh",
    "Gareth",
    "Olena",
    "Rachel",
    "Samuel",
]
LAST_NAMES = [
    "Okafor",
    "Smith",
    "Nguyễn",
    "Ó Súilleabháin",
    "Kowalski",
    "Patel",
    "Jones",
    "Begum",
    "Williams",
    "Hughes",
    "Mensah",
    "Taylor",
    "Ahmed",
    "Brown",
    "Novak",
    "Evans",
    "Chen",
    "Murphy",
    "Khan",
    "Davies",
]
STREETS = [
    "Mill Lane",
    "Church Road",
    "Station Street",
    "Orchard Close",
    "Victoria Avenue",
    "Meadow Way",
    "Park Crescent",
    "Bridge Street",
    "Elm Grove",
    "Kings Road",
]
TOWNS = ["Northbridge", "Exton", "Southmere"]
# Plausible postcode areas, made up from valid-format parts.
POSTCODES = ["EX1 1AB", "EX2 4QT", "EX4 6PL", "EX5 2RW", "EX7 9NS", "EX8 3HD", "EX10 8LA", "EX12 5GY"]


def synthetic_nhs_number(rng: random.Random) -> str:
    while True:
        candidate = "999" + "".join(str(rng.randint(0, 9)) for _ in range(7))
        if nhs_number_is_valid(candidate):
            return candidate


def synthetic_upn(rng: random.Random, la_code: str = "878") -> str:
    body = la_code + "".join(str(rng.randint(0, 9)) for _ in range(9))
    return upn_check_letter(body) + body
