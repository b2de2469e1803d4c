"""Reliability tooling for the reference server: soak load, fuzzing, timing probes (none of it serves)."""
