"""Per-locale value pools: Faker's names and addresses, snapshotted, plus the locale's formats.

Faker's seeded output changes between Faker releases. The generators therefore never call Faker while
generating: they pick from these committed snapshots with their own ``random.Random``, so the bytes of a
generated file depend only on this package and Python, not on the installed Faker version.
``python -m generators.pools`` rebuilds the snapshots from the installed Faker.
"""

from __future__ import annotations

import functools
import json
import tomllib
from dataclasses import dataclass
from pathlib import Path

POOL_DIR = Path(__file__).resolve().parent
SNAPSHOT_SEED = 1234
POOL_SIZE = 400


@dataclass(frozen=True, slots=True)
class LocalePools:
    locale: str
    first_names_male: tuple[str, ...]
    first_names_female: tuple[str, ...]
    last_names_male: tuple[str, ...]
    last_names_female: tuple[str, ...]
    street_addresses: tuple[str, ...]
    cities: tuple[str, ...]
    emails: tuple[str, ...]
    months: tuple[str, ...]
    """Month names as they stand in a date (genitive in Russian)."""
    date_pattern: str
    """``{day}`` and ``{month}`` placeholders."""
    currency_prefix: str
    currency_suffix: str
    thousands_separator: str
    decimal_separator: str
    typical_amount: float
    """The median of {amount} in this currency."""
    phone_country_code: str
    phone_area_codes: tuple[str, ...]
    phone_pattern: str
    """How a number is shown in text, ``#`` for each digit after the country and area codes."""


def build_snapshot(locale: str) -> dict[str, list[str]]:
    """Draw the pools from the installed Faker, seeded, de-duplicated and sorted."""
    from faker import Faker

    fake = Faker(locale)
    fake.seed_instance(SNAPSHOT_SEED)

    def pool(method, size: int = POOL_SIZE) -> list[str]:
        seen: set[str] = set()
        for _ in range(size * 20):
            if len(seen) >= size:
                break
            seen.add(method())
        return sorted(seen)

    return {
        "first_names_male": pool(fake.first_name_male, 150),
        "first_names_female": pool(fake.first_name_female, 150),
        "last_names_male": pool(fake.last_name_male, 250),
        "last_names_female": pool(fake.last_name_female, 250),
        "street_addresses": pool(fake.street_address),
        "cities": pool(fake.city, 150),
        "emails": pool(fake.free_email, 250),
    }


@functools.cache
def load_pools(locale: str) -> LocalePools:
    folder = POOL_DIR / locale
    snapshot = json.loads((folder / "faker.json").read_text(encoding="utf-8"))
    formats = tomllib.loads((folder / "formats.toml").read_text(encoding="utf-8"))
    return LocalePools(
        locale=locale,
        **{key: tuple(values) for key, values in snapshot.items()},
        months=tuple(formats["months"]),
        date_pattern=formats["date_pattern"],
        currency_prefix=formats["currency_prefix"],
        currency_suffix=formats["currency_suffix"],
        thousands_separator=formats["thousands_separator"],
        decimal_separator=formats["decimal_separator"],
        typical_amount=float(formats["typical_amount"]),
        phone_country_code=formats["phone_country_code"],
        phone_area_codes=tuple(formats["phone_area_codes"]),
        phone_pattern=formats["phone_pattern"],
    )


def main() -> int:
    """Rebuild every locale's snapshot from the installed Faker."""
    from importlib.metadata import version

    faker_version = version("faker")

    for folder in sorted(path for path in POOL_DIR.iterdir() if path.is_dir() and "_" in path.name):
        snapshot = build_snapshot(folder.name)
        target = folder / "faker.json"
        target.write_text(json.dumps(snapshot, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"{target}: {sum(len(v) for v in snapshot.values())} values from Faker {faker_version}")
    return 0
