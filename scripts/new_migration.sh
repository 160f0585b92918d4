#!/usr/bin/env bash
# Autogenerate an Alembic revision from storage/models.py.
#
#   scripts/new_migration.sh "add team colour"   # next revision (0002_add_team_colour.py, ...)
#   scripts/new_migration.sh --initial           # delete versions/0001_initial.py and regenerate it
#
# It diffs SQLModel.metadata against a throwaway SQLite database upgraded to
# head, writes storage/migrations/versions/NNNN_<slug>.py, then proves the
# result on a second throwaway database: upgrade leaves no drift, and the new
# revision downgrades and re-applies. Review the file before committing it.
# Revision ids are sequential; if two branches both add 0002, regenerate one.
# PYTHON=/path/to/python overrides the interpreter (default .venv/bin/python).
set -euo pipefail

if [[ $# -ne 1 || -z "$1" ]]; then
    sed -n '2,12s/^# \{0,1\}//p' "$0" >&2
    exit 2
fi
cd "$(dirname "$0")/.."
python="${PYTHON:-.venv/bin/python}"
[[ -x "$python" ]] || python=python3
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# Run from the repo root with stdin as the script, so `storage` is this
# checkout's, never an installed copy in site-packages.
"$python" - "$1" "$tmp" <<'PY'
import sys
from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory

from storage.migrate import MIGRATIONS_DIR, check_no_drift, downgrade, make_config, upgrade

arg, tmp = sys.argv[1], Path(sys.argv[2])
if not MIGRATIONS_DIR.resolve().is_relative_to(Path.cwd().resolve()):
    sys.exit(f"storage imported from {MIGRATIONS_DIR}, not from this checkout")
versions = MIGRATIONS_DIR / "versions"
work_url = f"sqlite:///{tmp / 'autogen.db'}"

if arg == "--initial":
    later = sorted(p.name for p in versions.glob("*.py") if p.name != "0001_initial.py")
    if later:
        sys.exit(f"refusing: {later} build on 0001; add a new revision instead")
    (versions / "0001_initial.py").unlink(missing_ok=True)
    rev_id, message = "0001", "initial"
else:
    upgrade(work_url)
    if not check_no_drift(work_url):
        sys.exit("models already match head: nothing to generate")
    revs = ScriptDirectory.from_config(make_config(work_url)).walk_revisions()
    rev_id = f"{max((int(r.revision) for r in revs if r.revision.isdigit()), default=0) + 1:04d}"
    message = arg

script = command.revision(make_config(work_url), message=message, autogenerate=True, rev_id=rev_id)
print(f"wrote {script.path}")

check_url = f"sqlite:///{tmp / 'check.db'}"
upgrade(check_url)
if drift := check_no_drift(check_url):
    sys.exit(f"still drifting after upgrade, edit the revision by hand: {drift}")
downgrade(check_url, "-1")
upgrade(check_url)
print("checked: upgrade leaves no drift; downgrade -1 and re-upgrade work")
PY
