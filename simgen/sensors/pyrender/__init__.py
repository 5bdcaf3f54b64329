"""The camera back end: pyrender on EGL, its compatibility fixes and its patches."""
