"""Tooling that develops the project and never ships: soak, fuzzing, timing probes, the store bench."""
