"""The desktop window: Qt adapters over ``browser.core``. ``models`` expose core objects to
Qt views, ``widgets`` are self-contained views and dialogs, ``window`` composes them into the
main window; workers decode in the background and hand ``QImage``s to the GUI thread."""
