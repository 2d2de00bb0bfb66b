"""Benchmark: what keeping item answers without a scale score costs an import.

Two wide files of the same size (``--n`` respondents x the 8 items of the sample measure ``lf``):
in the baseline everyone answers every item; in the other, every fifth respondent answers only 2
(too few for a score: their answers go to ``unscored_item_response``, checked against the file
and the database). Each is imported into a new SQLite database, then imported again (everything
already present), in this process; best of ``--repeat`` runs, printed with the ratio to the baseline.

    python bench/unscored_bench.py              # 20,000 respondents
    python bench/unscored_bench.py --n 100000
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from kirkpatrick.io.importing import ImportOptions, import_measurements
from kirkpatrick.services import records
from kirkpatrick.storage import db

ROOT = Path(__file__).resolve().parent.parent
OPTIONS = ImportOptions(intervention="VBY-KURS-2025", wave="post")


def write_file(path: Path, n: int, sparse: bool) -> int:
    """A wide file of ``n`` respondents; returns how many answer too few items."""
    too_few = 0
    with path.open("w", encoding="utf-8") as f:
        f.write("participant,lf_1,lf_2,lf_3,lf_4,lf_5,lf_6,lf_7,lf_8\n")
        for i in range(n):
            answers = [str(1 + (i + k) % 5) for k in range(8)]
            if sparse and i % 5 == 0:
                answers[2:] = [""] * 6
                too_few += 1
            f.write(f"b{i:07d},{','.join(answers)}\n")
    return too_few


def fresh_database(folder: Path, name: str) -> str:
    url = f"sqlite:///{folder / name}"
    engine = db.make_engine(url)
    db.init_db(engine)
    with db.transaction(engine) as s:
        records.import_measures(s, ROOT / "sample_data" / "measures.csv")
        records.import_interventions(s, ROOT / "sample_data" / "interventions.csv")
    engine.dispose()
    return url


def best(repeat: int, run: Callable[[int], tuple[float, float]]) -> tuple[float, float]:
    times = [run(k) for k in range(repeat)]
    return min(t[0] for t in times), min(t[1] for t in times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kirkpatrick-bench-") as tmp:
        folder = Path(tmp)
        results = {}
        for label, sparse in (("complete (baseline)", False), ("every 5th too few", True)):
            path = folder / f"{'sparse' if sparse else 'complete'}.csv"
            too_few = write_file(path, args.n, sparse)

            def run(k: int, path: Path = path, sparse: bool = sparse) -> tuple[float, float]:
                engine = db.make_engine(fresh_database(folder, f"{'s' if sparse else 'c'}{k}.db"))
                try:
                    start = time.perf_counter()
                    import_measurements(engine, path, OPTIONS)
                    first = time.perf_counter() - start
                    start = time.perf_counter()
                    again = import_measurements(engine, path, OPTIONS)
                    second = time.perf_counter() - start
                    assert again.imported == 0 and again.unscored_item_responses == 0
                    return first, second
                finally:
                    engine.dispose()

            results[label] = best(args.repeat, run)
            print(f"{label}: {args.n} respondents, {too_few} with too few items")
        base_first, base_again = results["complete (baseline)"]
        print(f"{'file':<22} {'import s':>9} {'ratio':>6} {'again s':>9} {'ratio':>6}")
        for label, (first, again) in results.items():
            print(f"{label:<22} {first:>9.2f} {first / base_first:>6.2f} {again:>9.2f} {again / base_again:>6.2f}")


if __name__ == "__main__":
    main()
