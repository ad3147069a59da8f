"""What reviewers say about images: the verdict store (SQLite, per-image keys), verdict files to
exchange, error-rate estimates and audit samples. Uses :mod:`browser.core.dataset`."""
