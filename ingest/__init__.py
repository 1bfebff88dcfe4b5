"""Ingestion: sources, crawl, fetch, extract (adapters), scrub, chunk and the catalog."""
