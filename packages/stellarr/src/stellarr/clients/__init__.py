"""Adapters for services on the internet: one pooled httpx client each."""
