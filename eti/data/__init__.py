"""Data files: synonyms, stop words, guardrail patterns, retrieval thresholds."""
