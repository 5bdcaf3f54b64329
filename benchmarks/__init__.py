"""Benchmark records and the tools that write and read them (outside the wheel)."""
