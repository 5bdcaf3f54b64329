"""The benchmark harness behind `simgen bench`: a labelled frame timed stage by stage, and the
batch executors' frames/s per worker count."""
