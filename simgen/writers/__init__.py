"""Writers: pure functions from typed frames to files, every file written atomically."""
