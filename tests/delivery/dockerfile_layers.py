"""The layer order that keeps rebuilds cheap: in the stage that installs the package, the
locked dependencies install (`uv sync --no-install-workspace`) from the manifests alone (the
lock and the pyproject files) before the source is copied, so an edit rebuilds only the
source layers."""

from __future__ import annotations

import re

INSTRUCTION = re.compile(r"^(FROM|COPY|RUN|ADD)\s+(.*)$", re.I)


def _instructions(text: str) -> list[tuple[str, str]]:
    """(keyword, arguments) per instruction, continuation lines joined, comments dropped."""
    joined = re.sub(r"\\\n", " ", text)
    out = []
    for line in joined.splitlines():
        match = INSTRUCTION.match(line.strip())
        if match:
            out.append((match.group(1).upper(), match.group(2)))
    return out


def _stages(text: str) -> dict[str, list[tuple[str, str]]]:
    stages: dict[str, list[tuple[str, str]]] = {}
    current: list[tuple[str, str]] = []
    for keyword, args in _instructions(text):
        if keyword == "FROM":
            name = args.split()[-1] if " as " in args.lower() else str(len(stages))
            current = stages.setdefault(name, [])
        else:
            current.append((keyword, args))
    return stages


def _copies_only_manifests(args: str, stages: dict[str, list[tuple[str, str]]]) -> bool:
    source = re.search(r"--from=(\S+)", args)
    if source:
        steps = stages.get(source.group(1), [])
        return any(
            k == "RUN" and "pyproject.toml" in a and "uv.lock" in a and "-delete" in a
            for k, a in steps
        )
    paths = [p for p in args.split() if not p.startswith("--")][:-1]
    return bool(paths) and all(p.endswith(("pyproject.toml", "uv.lock")) for p in paths)


def dependency_layer_problems(text: str) -> list[str]:
    stages = _stages(text)
    installing = [
        (name, steps)
        for name, steps in stages.items()
        if any(k == "RUN" and "uv sync" in a for k, a in steps)
    ]
    if not installing:
        return ["no stage runs uv sync"]
    problems = []
    for name, steps in installing:
        first_sync = next(i for i, (k, a) in enumerate(steps) if k == "RUN" and "uv sync" in a)
        if "--no-install-workspace" not in steps[first_sync][1]:
            problems.append(f"stage {name}: the first uv sync installs the source with the deps")
        for keyword, args in steps[:first_sync]:
            if keyword in ("COPY", "ADD") and not _copies_only_manifests(args, stages):
                problems.append(
                    f"stage {name}: `{keyword} {args}` copies the source before the dependencies"
                    " install"
                )
        if not any("uv sync" in a and "--frozen" in a for k, a in steps[first_sync:]):
            problems.append(f"stage {name}: uv sync is not --frozen")
    return problems
