"""Randomization of appearance, drawn per variant from the seed: colours and finishes of paint
and clothes, and the wear of the static world's surfaces."""
