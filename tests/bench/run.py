"""`make bench`: run every benchmark and update BENCHMARKS.md."""

from __future__ import annotations

from tests.bench import bench_store


def main() -> None:
    for module in (bench_store,):
        module.run()


if __name__ == "__main__":
    main()
