"""The storyboard engine: OpenSCENARIO's stories, triggers and actions acted out in the world."""
