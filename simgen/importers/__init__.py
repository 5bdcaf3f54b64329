"""Importers: scenario files of other tools turned into simgen scenarios."""
