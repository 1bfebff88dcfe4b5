"""Answering: the staged pipeline (pipeline.answer), its guards, composer and services."""
