"""`make bench`: run every benchmark and update BENCHMARKS.md."""

from __future__ import annotations

from tests.bench import (
    bench_appliance,
    bench_branch,
    bench_central,
    bench_flood,
    bench_phones,
    bench_predictor,
    bench_printer,
    bench_privacy,
    bench_satellite,
    bench_speech,
    bench_store,
    bench_sync,
    bench_ui,
)


def main() -> None:
    for module in (
        bench_store,
        bench_printer,
        bench_sync,
        bench_branch,
        bench_flood,
        bench_phones,
        bench_privacy,
        bench_predictor,
        bench_satellite,
        bench_central,
        bench_speech,
        bench_ui,
        bench_appliance,
    ):
        module.run()


if __name__ == "__main__":
    main()
