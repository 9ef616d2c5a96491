"""The add-on's bpy-free core: plain Python that pytest can test without Blender."""
