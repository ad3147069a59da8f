"""Qt item models over core objects: the synset tree and the thumbnail grid."""
