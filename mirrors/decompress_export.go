package mirrors

import "io"

// Decompress opens metadata compressed in any form yum repositories use (detected from its
// magic bytes), reading at most limit decompressed bytes.
func Decompress(r io.Reader, limit int64) (io.ReadCloser, error) { return decompress(r, limit) }
