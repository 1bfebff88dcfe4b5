"""The index: versions, the dense (Chroma) and lexical (bm25s) parts, reading and publishing."""
