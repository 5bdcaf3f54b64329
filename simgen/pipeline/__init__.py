"""The one loop from a scenario instance to written frames: capture (world + sensors + labels)
and render (a variant to its dataset folder). bench, render and the tests all run it."""
