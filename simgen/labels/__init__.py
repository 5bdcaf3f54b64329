"""Labels derived from one WorldState and the sensor frames rendered from it."""
