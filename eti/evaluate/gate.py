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
    for split, limits in (thresholds.get("by_split") or {}).items():
        if split in primary.get("by_split", {}):
            failures += _check(primary["by_split"][split], limits, f"split {split}")
    for pair, limits in (thresholds.get("by_split_kind") or {}).items():
        if pair in primary.get("by_split_kind", {}):
            failures += _check(primary["by_split_kind"][pair], limits, pair)
    return failures


def check_safety(safety: dict | None, thresholds: dict) -> list[str]:
    """Floors on the safety set's figures, per split (eval/thresholds.yaml: safety)."""
    limits = thresholds.get("safety") or {}
    if not limits:
        return []
    if safety is None:
        return ["safety: not measured"]
    failures = []
    for split, split_limits in limits.items():
        if split in safety:
            failures += _check(safety[split], split_limits, f"safety {split}")
    return failures
