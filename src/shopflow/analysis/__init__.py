"""Pure, frame-driven analysis: lines, zones, dwell, groups, visitors and heatmap."""
