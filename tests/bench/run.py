"""`make bench`: run every benchmark and update BENCHMARKS.md."""

from __future__ import annotations

from tests.bench import bench_printer, bench_store


def main() -> None:
    for module in (bench_store, bench_printer):
        module.run()


if __name__ == "__main__":
    main()
