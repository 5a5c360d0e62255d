"""The demo customers: who they are (names, e-mail, phone, city) and how they behave
(when they sign up, whether they buy, how often, whether and when they stop)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from customer360.demo.common import STORES, WINDOW_DAYS, dates, numbered, zero_padded

# Per-customer behaviour (see customer360.demo's docstring); rates are orders per day.
BUYER_SHARE = 0.92
CHURN_SHARE = 0.38
ORDER_RATE_MEDIAN = 0.006
ORDER_RATE_SIGMA = 0.9

# fmt: off
FIRST_NAMES = ["Anna", "Ben", "Chloé", "David", "Emma", "Farid", "Grace", "Hiro", "Inès", "José",
               "Kofi", "Lena", "Mia", "Noah", "Olga", "Priya", "Quinn", "Rosa", "Sven", "Zoë",
               "Liam", "Sofia", "Mateo", "Aisha", "Björn", "Yuki", "Omar", "Léa", "Tomás", "Eva"]
LAST_NAMES = ["Smith", "Müller", "O'Brien", "García", "Nakamura", "Okafor", "Rossi", "Dubois",
              "Kowalski", "Andersson", "Silva", "Nguyen", "Kaur", "Cohen", "Popescu", "Brown",
              "Jones", "Schmidt", "Martin", "Fernández", "Jensen", "D'Angelo", "Novák", "Lee"]
# fmt: on
# (city, country, share of customers, mobile number with # for random digits)
PLACES = [
    ("London", "United Kingdom", 0.22, "+44 7700 9#####"),
    ("Manchester", "United Kingdom", 0.08, "+44 7700 9#####"),
    ("Paris", "France", 0.12, "+33 6 ## ## ## ##"),
    ("Lyon", "France", 0.04, "+33 6 ## ## ## ##"),
    ("Berlin", "Germany", 0.1, "+49 151 ########"),
    ("München", "Germany", 0.05, "+49 151 ########"),
    ("Madrid", "Spain", 0.07, "+34 6## ### ###"),
    ("Milan", "Italy", 0.06, "+39 3## ### ####"),
    ("Lisbon", "Portugal", 0.04, "+351 9## ### ###"),
    ("New York", "United States", 0.1, "+1 212-555-01##"),
    ("Toronto", "Canada", 0.05, "+1 416-555-01##"),
    ("São Paulo", "Brazil", 0.07, "+55 11 9####-####"),
]


@dataclass
class People:
    """The customers of one chunk and their (hidden) behaviour."""

    number: np.ndarray  # 1-based customer number
    ids: np.ndarray
    signup: np.ndarray  # day of the window
    buys: np.ndarray
    churner: np.ndarray
    end: np.ndarray  # first day after their active life (WINDOW_DAYS if they never stop)
    rate: np.ndarray  # orders per day while active
    basket: np.ndarray  # mean extra products per basket
    store_share: np.ndarray
    home_store: np.ndarray


def make_people(rng: np.random.Generator, first_number: int, size: int) -> People:
    number = np.arange(first_number, first_number + size)
    signup = ((WINDOW_DAYS - 30) * rng.random(size) ** 0.85).astype(np.int64)  # growing
    churner = rng.random(size) < CHURN_SHARE
    lifetime = 45 + rng.exponential(240, size).astype(np.int64)
    end = np.where(churner, np.minimum(signup + lifetime, WINDOW_DAYS), WINDOW_DAYS)
    return People(
        number=number,
        ids=numbered("C", number, 7),
        signup=signup,
        buys=rng.random(size) < BUYER_SHARE,
        churner=churner & (end < WINDOW_DAYS),
        end=end,
        rate=ORDER_RATE_MEDIAN * np.exp(rng.normal(0.0, ORDER_RATE_SIGMA, size)),
        basket=0.9 * np.exp(rng.normal(0.0, 0.4, size)),
        store_share=rng.beta(0.9, 2.1, size),  # mean 0.3
        home_store=rng.integers(1, STORES + 1, size),
    )


def ascii_slug(text: str) -> str:
    """'O'Brien' -> 'obrien', 'Müller' -> 'muller': the e-mail form of a name."""
    decomposed = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(char for char in decomposed.lower() if char.isalnum())


def fill_digits(rng: np.random.Generator, template: str, count: int) -> np.ndarray:
    """`count` strings like the template, each # replaced by a random digit."""
    width = template.count("#")
    digits = zero_padded(rng.integers(0, 10**width, count), width)
    result = np.full(count, "")
    used = 0
    for literal, hashes in re.findall(r"([^#]*)(#*)", template):
        result = np.char.add(result, literal)
        if hashes:
            result = np.char.add(result, np.strings.slice(digits, used, used + len(hashes)))
            used += len(hashes)
    return result


def customers_table(rng: np.random.Generator, people: People) -> pa.Table:
    n = len(people.ids)
    first = rng.integers(0, len(FIRST_NAMES), n)
    last = rng.integers(0, len(LAST_NAMES), n)
    place = rng.choice(len(PLACES), n, p=[p[2] for p in PLACES])
    first_names, last_names = np.array(FIRST_NAMES), np.array(LAST_NAMES)
    first_slug = np.array([ascii_slug(name) for name in FIRST_NAMES])
    last_slug = np.array([ascii_slug(name) for name in LAST_NAMES])
    domain = rng.choice(["@example.com", "@example.org", "@example.net"], n)
    local = np.char.add(np.char.add(first_slug[first], "."), last_slug[last])
    email = np.char.add(np.char.add(local, people.number.astype(str)), domain)
    phone = np.empty(n, dtype=object)
    for index, (*_, template) in enumerate(PLACES):
        here = place == index
        phone[here] = fill_digits(rng, template, int(here.sum()))
    age_days = rng.integers(18 * 365, 80 * 365, n)
    return pa.table(
        {
            "customer_id": people.ids,
            "email": email,
            "full_name": np.char.add(np.char.add(first_names[first], " "), last_names[last]),
            "phone": pa.array(phone, pa.string(), mask=rng.random(n) < 0.08),
            "city": np.array([p[0] for p in PLACES])[place],
            "country": np.array([p[1] for p in PLACES])[place],
            "signup_date": dates(people.signup),
            "birth_date": dates(people.signup - age_days, mask=rng.random(n) < 0.12),
        }
    )
