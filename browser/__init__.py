"""Synset Browser: explore image datasets through the WordNet hierarchy.

``core`` is the Qt-free model (hierarchy, datasets, images, review, analysis, export);
``cli`` the headless commands over it; ``qt`` the window. ``app`` chooses between the last
two. See docs/architecture.md."""
