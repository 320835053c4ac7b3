"""A recording stand-in for kubectl, put first on PATH by the tests (never used outside them).

It appends each call (argv and stdin) to `calls.jsonl` in $KUBECTL_STANDIN_DIR and answers
from `rules.json` there: the first rule whose `args` appear in argv, in order, gives the
stdout/stderr/exit code, or `delegate: true` runs the real kubectl ($KUBECTL_STANDIN_REAL)
for commands that need no cluster (`kustomize`, `create … --dry-run=client`). A call no rule
matches exits 97, so an unexpected kubectl call fails the test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def _matches(pattern: list[str], argv: list[str]) -> bool:
    position = 0
    for token in argv:
        if position < len(pattern) and token == pattern[position]:
            position += 1
    return position == len(pattern)


def main() -> int:
    folder = Path(os.environ["KUBECTL_STANDIN_DIR"])
    argv = sys.argv[1:]
    stdin = "" if sys.stdin.isatty() else sys.stdin.read()
    with (folder / "calls.jsonl").open("a", encoding="utf-8") as log:
        log.write(json.dumps({"argv": argv, "stdin": stdin}) + "\n")
    rules = json.loads((folder / "rules.json").read_text(encoding="utf-8"))
    used_path = folder / "used.json"
    used = set(json.loads(used_path.read_text())) if used_path.exists() else set()
    for index, rule in enumerate(rules):
        if index in used or not _matches(rule["args"], argv):
            continue
        if rule.get("once"):
            used_path.write_text(json.dumps(sorted(used | {index})))
        if rule.get("delegate"):
            real = subprocess.run(
                [os.environ["KUBECTL_STANDIN_REAL"], *argv],
                input=stdin,
                capture_output=True,
                text=True,
                check=False,
            )
            sys.stdout.write(real.stdout)
            sys.stderr.write(real.stderr)
            return real.returncode
        sys.stdout.write(rule.get("stdout", ""))
        sys.stderr.write(rule.get("stderr", ""))
        return int(rule.get("rc", 0))
    sys.stderr.write(f"kubectl stand-in: no rule for {argv}\n")
    return 97


if __name__ == "__main__":
    sys.exit(main())
