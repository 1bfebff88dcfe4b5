"""The evaluation suite: question bank in, metrics, JSON + HTML reports and a CI gate out."""
