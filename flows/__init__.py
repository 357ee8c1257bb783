"""Prefect flows and deployments for newsetl (the library itself is Prefect-free)."""
