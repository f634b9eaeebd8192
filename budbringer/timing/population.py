"""Build the built-in population prior (population_prior.json) from real activity data.

    python -m budbringer.timing.population ../shared/data/activity/*.csv.gz

The prior is what a person is served before anyone in their organisation was active: the
smoothed mean weekly pattern of thousands of real people (commit times from public
repositories, each in its author's local time). Re-run it when the data or the model's
smoothing changes; the JSON is committed.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import sys
from pathlib import Path

from budbringer.timing.model import SendTimeModel

OUTPUT = Path(__file__).with_name("population_prior.json")


def read_events(path: Path) -> list[tuple[str, int, int]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", newline="") as handle:
        return [
            (f"{path.name}:{row['person']}", int(row["ts_utc"]), int(row["utc_offset_min"]))
            for row in csv.DictReader(handle)
        ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "data", nargs="+", type=Path, help="CSV files: person,ts_utc,utc_offset_min"
    )
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    events = sorted((e for path in args.data for e in read_events(path)), key=lambda e: e[1])
    model = SendTimeModel()
    model.observe(events)
    shares = model.prior / model.prior.sum()
    args.output.write_text(
        json.dumps(
            {
                "source": [path.name for path in args.data],
                "people": len(model.index),
                "events": len(events),
                "shares": [round(float(v), 6) for v in shares],
            },
            indent=1,
        )
        + "\n"
    )
    print(f"{len(model.index)} people, {len(events)} events -> {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
