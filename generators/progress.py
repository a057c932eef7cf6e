"""One progress bar for a whole ``generate`` job, on a terminal only: rows written, days done, an ETA.

The total is an estimate (the day's sessions are known without drawing any; rows per session are not): it
starts from the usual rows per session and is corrected by the rows of every file finished, weighted by its
share of the sessions.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Sequence
from typing import Any

from generators.sessions import DayPlan
from generators.storage import ObjectStats, OutputObject

ROWS_PER_SESSION = 4.4
"""Rows of an average session (measured on the default accounts): the estimate before any file is done."""


class JobProgress:
    """A tqdm bar on stderr, and Dask's own bar and dashboard address when Dask runs the job."""

    def __init__(self, objects: Sequence[OutputObject]) -> None:
        from tqdm import tqdm

        plans: dict[tuple, DayPlan] = {}
        self.weights = {target.url: _expected_sessions(target, plans) for target in objects}
        self.total_weight = sum(self.weights.values()) or 1
        self.done_weight = 0.0
        self.rows_done = 0
        self.days_left = Counter(target.day for target in objects)
        self.days = len(self.days_left)
        self.bar = tqdm(total=round(self.total_weight * ROWS_PER_SESSION), unit=" rows", unit_scale=True,
                        file=sys.stderr, leave=False, desc=self._describe())

    def _describe(self) -> str:
        done = sum(1 for left in self.days_left.values() if left == 0)
        return f"day {done}/{self.days}"

    def rows(self, count: int) -> None:
        self.bar.update(count)

    def finished(self, stats: ObjectStats) -> None:
        self.rows_done += stats.rows
        self.done_weight += self.weights.get(stats.url, 0)
        self.days_left[stats.day] -= 1
        if self.done_weight:
            self.bar.total = max(self.bar.n, round(self.rows_done * self.total_weight / self.done_weight))
        self.bar.set_description(self._describe(), refresh=True)

    def watch_dask(self, client: Any, futures: Sequence[Any]) -> None:
        """Dask's own bar (it prints to stdout, free when the job writes to files) while the tasks run."""
        from tqdm import tqdm

        self.bar.close()  # Dask reports the tasks; ours would stand still
        self.bar = tqdm(disable=True)
        print(f"Dask dashboard: {client.dashboard_link}", file=sys.stderr)
        if sys.stdout.isatty():
            from distributed import progress

            progress(futures)

    def close(self) -> None:
        self.bar.close()


def _expected_sessions(target: OutputObject, plans: dict[tuple, DayPlan]) -> float:
    first = target.partitions[0]
    key = (first.account, first.seed)
    plan = plans.get(key) or plans.setdefault(key, DayPlan(first.account, first.day, seed=first.seed))
    return plan.sessions_on(first.day) * len(target.partitions) / first.chunks
