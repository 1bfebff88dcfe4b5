"""«Din oversikt»: from a family's answers to the schemes that may apply (rules as data)."""

from eti.overview.build import build_overview, matching
from eti.overview.report import Overview, SchemeEntry
from eti.overview.rules import RulesError, RuleSet, load_rules, paragraph_key
from eti.overview.situation import FamilySituation, Parent

__all__ = ["FamilySituation", "Overview", "Parent", "RuleSet", "RulesError", "SchemeEntry", "build_overview",
           "load_rules", "matching", "paragraph_key"]
