"""Matrix channel (Tchap, Element…) with matrix-nio: the same engine, end-to-end encrypted."""
