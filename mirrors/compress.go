package mirrors

import (
	"bufio"
	"bytes"
	"fmt"
	"io"

	"github.com/dsnet/compress/bzip2"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
)

// decompress returns a reader of the plain bytes of r, whatever of gz, xz, bz2 and zstd real
// repositories use; the format is sniffed from the magic bytes, since hrefs lie sometimes.
// Reading more than limit plain bytes fails with ErrTooLarge, so a hostile or broken upstream
// cannot exhaust memory or disk with a small compressed file.
func decompress(r io.Reader, limit int64) (io.ReadCloser, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	magic, _ := br.Peek(6)
	var plain io.Reader
	closer := func() error { return nil }
	switch {
	case bytes.HasPrefix(magic, []byte{0x1f, 0x8b}):
		z, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("reading gzip stream: %w", err)
		}
		plain, closer = z, z.Close
	case bytes.HasPrefix(magic, []byte{0xfd, '7', 'z', 'X', 'Z', 0}):
		z, err := xz.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("reading xz stream: %w", err)
		}
		plain = z
	case bytes.HasPrefix(magic, []byte("BZh")):
		z, err := bzip2.NewReader(br, nil)
		if err != nil {
			return nil, fmt.Errorf("reading bzip2 stream: %w", err)
		}
		plain, closer = z, z.Close
	case bytes.HasPrefix(magic, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		z, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1))
		if err != nil {
			return nil, fmt.Errorf("reading zstd stream: %w", err)
		}
		plain, closer = z, func() error { z.Close(); return nil }
	default:
		plain = br
	}
	return &capReader{r: plain, left: limit, close: closer}, nil
}

type capReader struct {
	r     io.Reader
	left  int64
	close func() error
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		// One more byte tells a stream of exactly the cap from a longer one.
		var one [1]byte
		if n, _ := c.r.Read(one[:]); n > 0 {
			return 0, ErrTooLarge
		}
		return 0, io.EOF
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}

func (c *capReader) Close() error { return c.close() }

// compressor returns a writer compressing into w in the named format ("gz" when empty) and
// the file suffix that goes with it. Output is deterministic: no names or times in headers.
func compressor(w io.Writer, format string) (io.WriteCloser, string, error) {
	switch format {
	case "", "gz":
		z, err := gzip.NewWriterLevel(w, gzip.DefaultCompression)
		return z, ".gz", err
	case "xz":
		z, err := xz.NewWriter(w)
		return z, ".xz", err
	case "bz2":
		z, err := bzip2.NewWriter(w, &bzip2.WriterConfig{Level: bzip2.DefaultCompression})
		return z, ".bz2", err
	case "zst", "zstd":
		z, err := zstd.NewWriter(w, zstd.WithEncoderConcurrency(1))
		return z, ".zst", err
	case "none":
		return nopCloser{w}, "", nil
	}
	return nil, "", fmt.Errorf("unknown metadata compression %q (want gz, xz, bz2, zst or none)", format)
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }
