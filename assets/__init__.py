"""simgen's procedural assets (made by tools/generate_assets.py), installed as package data."""
