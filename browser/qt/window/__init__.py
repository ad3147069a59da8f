"""The main window, composed of parts: panes (its widgets), navigation (path, tree, history),
status, menus, review keys and mode, previews, side panels. ``main_window`` wires them; each
part takes only what it acts on, so it can be built and tested alone."""
