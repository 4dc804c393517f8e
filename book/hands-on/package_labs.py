"""Package the released student labs for the book's Part 3.

Run after ``labgrader release labs/*/ --out book/hands-on/labs`` (``make book``
does both). For every released lab folder it writes ``<id>.zip`` (the notebook,
the public tests and the self-check, everything a student needs) and one row of
``book/hands-on/labs/table.md``, which the Part 3 index includes.
"""

import json
import shutil
import sys
from pathlib import Path

import tomllib

HERE = Path(__file__).resolve().parent
RELEASED = HERE / "labs"
SOURCES = HERE.parents[1] / "labs"


def main() -> int:
    labs = sorted(p for p in RELEASED.iterdir() if p.is_dir()) if RELEASED.is_dir() else []
    if not labs:
        print(f"no released labs in {RELEASED}; run `labgrader release` first", file=sys.stderr)
        return 2
    rows = ["| lab | exercises | points | download |", "| --- | --- | --- | --- |"]
    for folder in labs:
        meta = tomllib.loads((SOURCES / folder.name / "lab.toml").read_text())
        shutil.make_archive(str(RELEASED / folder.name), "zip", RELEASED, folder.name)
        notebook = json.loads((folder / meta["notebook"]).read_text())
        assert notebook["cells"], f"{folder.name}: empty notebook"
        exercises = meta.get("exercises", [])
        points = sum(e.get("points", 0) for e in exercises)
        page = f"labs/{folder.name}/{Path(meta['notebook']).stem}"
        rows.append(
            f"| {{doc}}`{meta['title']} <{page}>` | {len(exercises)} | {points} "
            f"| {{download}}`{folder.name}.zip <labs/{folder.name}.zip>` |"
        )
    (RELEASED / "table.md").write_text("\n".join(rows) + "\n")
    print(f"packaged {len(labs)} labs into {RELEASED}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
