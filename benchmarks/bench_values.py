"""Speed of the value helpers on the generation hot path, beside baselines measured in the same run.

    python benchmarks/bench_values.py [--calls 200000]

Prints calls/s of ``russian.inflect`` and ``russian.agree`` (cached, then cold from the precomputed table)
beside pymorphy3 declining live, of the pools' weighted picks beside ``random.choice``, and of
``talk.compose`` beside filling a string; each as a ratio to its baseline.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable

from generators import russian, talk
from generators.pools import load_pools


def rate(call: Callable[[int], object], calls: int) -> float:
    started = time.perf_counter()
    for index in range(calls):
        call(index)
    return calls / (time.perf_counter() - started)


def line(name: str, measured: float, baseline_name: str, baseline: float) -> None:
    print(f"{name:<38} {measured:>12,.0f}/s   {baseline_name:<28} {baseline:>10,.0f}/s   x{measured / baseline:.3g}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200_000)
    calls = parser.parse_args().calls
    pools = load_pools("ru_RU")
    cities, names = list(pools.cities), list(pools.first_names_male)
    cases = russian.CASES[1:]
    words = [(cities[i % len(cities)], cases[i % len(cases)]) for i in range(997)]
    live = rate(lambda i: russian.inflect_live(*words[i % 997], place=True), max(calls // 100, 500))

    def cold(i: int) -> str:
        russian.inflect.cache_clear()
        return russian.inflect(*words[i % 997], place=True)

    line("inflect (cached)", rate(lambda i: russian.inflect(*words[i % 997], place=True), calls),
         "pymorphy3 live", live)
    line("inflect (table, cache cleared)", rate(cold, calls // 10), "pymorphy3 live", live)
    line("inflect full name (table)", rate(lambda i: russian.inflect(f"{names[i % 80]} Иванов", "datv", "masc"),
                                          calls), "pymorphy3 live", live)
    agree_live = rate(lambda i: russian._agreed_live("заказ", i), max(calls // 100, 500))
    line("agree (table)", rate(lambda i: russian.agree(i, "день"), calls), "pymorphy3 live agreement", agree_live)
    line("agree (not in table, cached)", rate(lambda i: russian.agree(i, "сервисный центр"), calls),
         "pymorphy3 live agreement", agree_live)
    rng = random.Random(1)
    plain = rate(lambda i: rng.choice(names), calls)
    line("weighted first name pick", rate(lambda i: pools.first_name(rng, i % 2 == 0), calls), "random.choice", plain)
    fill = rate(lambda i: f"Где мой заказ {i}?", calls)
    line("talk.compose (chat)", rate(lambda i: talk.compose(rng, "Где мой заказ?", "ru_RU"), calls // 4),
         "str.format", fill)
    line("talk.compose (phone)", rate(lambda i: talk.compose(rng, "Где мой заказ 48213377?", "ru_RU", True),
                                      calls // 4), "str.format", fill)


if __name__ == "__main__":
    main()
