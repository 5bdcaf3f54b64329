"""Shared foundations every layer may use: geometry, random streams, the class table, CPU
shares and atomic file writes. Nothing here imports a simulator or renderer."""
