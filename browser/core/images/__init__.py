"""Per-image work: decoding within a pixel budget, thumbnails and their disk cache, image facts,
pixel sizes, perceptual hashes, and the per-file value cache they share. Uses
:mod:`browser.core.dataset` (paths, tar members) and nothing above it."""
