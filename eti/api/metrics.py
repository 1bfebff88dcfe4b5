"""Prometheus metrics, one registry per app (no process-global state)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("eti_requests_total", "HTTP requests", ["route", "method", "code"],
                                registry=self.registry)
        self.latency = Histogram("eti_request_seconds", "Request latency", ["route"], registry=self.registry,
                                 buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10))
        self.answers = Counter("eti_answers_total", "Answers by status", ["status"], registry=self.registry)
        self.llm_fallbacks = Counter("eti_llm_fallbacks_total", "LLM answers replaced by the default composer",
                                     registry=self.registry)
        self.pii_redactions = Counter("eti_pii_redactions_total", "Personal data items redacted", ["kind"],
                                      registry=self.registry)
        self.index_chunks = Gauge("eti_index_chunks", "Chunks in the serving index", registry=self.registry)
