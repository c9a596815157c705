"""`make bench`: run every benchmark and update BENCHMARKS.md."""

from __future__ import annotations

from tests.bench import bench_branch, bench_printer, bench_store, bench_sync


def main() -> None:
    for module in (bench_store, bench_printer, bench_sync, bench_branch):
        module.run()


if __name__ == "__main__":
    main()
