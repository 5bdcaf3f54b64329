"""Randomization of appearance: colours of paint and clothes, drawn per variant from the seed."""
