"""Self-contained widgets and dialogs (grid, panels, charts, export and duplicates dialogs).
Each takes what it shows as arguments and reports through signals; none knows the window."""
