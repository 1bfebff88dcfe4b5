"""Eval gates (eval/thresholds.yaml): floors on the primary configuration; `_max` keys are ceilings."""

from __future__ import annotations

from pathlib import Path

import yaml


def load_thresholds(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def _check(values: dict, limits: dict, where: str) -> list[str]:
    failures = []
    for key, limit in (limits or {}).items():
        name, ceiling = (key[:-4], True) if key.endswith("_max") else (key, False)
        value = values.get(name)
        if value is None:
            failures.append(f"{where}.{name}: not measured")
        elif (value > limit) if ceiling else (value < limit):
            failures.append(f"{where}.{name} = {value} {'>' if ceiling else '<'} {limit}")
    return failures


def check(primary: dict, thresholds: dict) -> list[str]:
    failures = _check(primary["summary"], thresholds.get("overall", {}), "overall")
    for kind, limits in (thresholds.get("by_kind") or {}).items():
        if kind in primary["by_kind"]:
            failures += _check(primary["by_kind"][kind], limits, kind)
    return failures
