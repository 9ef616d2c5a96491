"""Hand-off: the board out of Blender as PDF sheets, a shot list, editorial timelines,
cameras for layout and an animatic."""
