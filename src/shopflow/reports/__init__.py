"""Analytics services over storage (figures, series, comparisons, heatmaps, exports); they take a Session,
never commit, and know nothing of HTTP."""
