package mirrors

import (
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// Store is a content-addressed directory of verified files shared by every repository and
// run: objects/<type>/<xx>/<checksum>. A file appears there only after its checksum matched;
// partial downloads wait in partial/ and are resumed with HTTP Range requests.
type Store struct {
	root string
	opts Options
}

// NewStore opens (creating) a store rooted at root.
func NewStore(root string, opts Options) (*Store, error) {
	for _, d := range []string{"objects", "partial"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			return nil, fmt.Errorf("creating store %s: %w", root, err)
		}
	}
	return &Store{root: root, opts: opts.withDefaults()}, nil
}

// Root is the store's directory.
func (s *Store) Root() string { return s.root }

// Path is where the store keeps (or will keep) the file with checksum c. The checksum comes
// from remote metadata, so it is validated before it becomes part of a path.
func (s *Store) Path(c Checksum) (string, error) {
	if _, err := newHash(c.Type); err != nil {
		return "", err
	}
	if len(c.Value) < 32 || strings.Trim(c.Value, "0123456789abcdef") != "" {
		return "", fmt.Errorf("checksum %q is not lowercase hex", c.Value)
	}
	return filepath.Join(s.root, "objects", c.Type, c.Value[:2], c.Value), nil
}

// Has reports whether the store holds the package's file.
func (s *Store) Has(p Package) bool {
	path, err := s.Path(p.Checksum)
	if err != nil {
		return false
	}
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}

func newHash(typ string) (hash.Hash, error) {
	switch typ {
	case "sha256":
		return sha256.New(), nil
	case "sha512":
		return sha512.New(), nil
	case "sha384":
		return sha512.New384(), nil
	case "sha224":
		return sha256.New224(), nil
	case "sha1":
		return sha1.New(), nil
	}
	return nil, fmt.Errorf("unsupported checksum type %q (want sha256, sha512, sha384, sha224 or sha1)", typ)
}

// Fetch downloads every package not yet in the store, at most Options.Concurrency at a time,
// each verified against its metadata checksum before it becomes visible. It keeps going after
// a failure and returns all failures joined, each naming the package and URL. Cancelling ctx
// leaves partial files for the next Fetch to resume.
func (s *Store) Fetch(ctx context.Context, pkgs []Package) error {
	// One download per distinct file, however many repositories list it.
	var todo []*Package
	seen := map[Checksum]bool{}
	var total int64
	for i := range pkgs {
		if seen[pkgs[i].Checksum] {
			continue
		}
		seen[pkgs[i].Checksum] = true
		todo = append(todo, &pkgs[i])
		total += pkgs[i].Size
	}
	pr := &progress{fn: s.opts.Progress, total: total}

	work := make(chan *Package)
	errs := make([]error, 0)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := 0; w < s.opts.Concurrency; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range work {
				if err := s.fetchOne(ctx, p, pr); err != nil {
					pr.emit(Event{Kind: FetchFailed, Package: p.NEVRA(), Total: p.Size, Err: err})
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}
		}()
	}
feed:
	for _, p := range todo {
		select {
		case work <- p:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("fetch cancelled (a new Fetch resumes it): %w", err)
	}
	return errors.Join(errs...)
}

// progress serialises events and keeps the totals of one Fetch.
type progress struct {
	mu    sync.Mutex
	fn    func(Event)
	total int64
	done  int64
}

func (p *progress) emit(e Event) {
	if p.fn == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	e.AllBytes, e.AllTotal = p.done, p.total
	p.fn(e)
}

func (p *progress) add(n int64) {
	p.mu.Lock()
	p.done += n
	p.mu.Unlock()
}

// fileProgress keeps one file's contribution to the totals right across retries and
// restarts: set says how many bytes of this file are now on disk.
type fileProgress struct {
	*progress
	counted int64
}

func (f *fileProgress) set(n int64) {
	f.add(n - f.counted)
	f.counted = n
}

// packageURL is where p is downloaded from; anything pointing outside its repository is
// refused, whatever the metadata says.
func packageURL(p *Package) (string, error) {
	if err := checkLocation(p.Location); err != nil {
		return "", fmt.Errorf("package %s: %w", p.NEVRA(), err)
	}
	base := p.BaseURL
	if p.LocationBase != "" {
		b := p.LocationBase
		if !strings.HasSuffix(b, "/") {
			b += "/"
		}
		if !strings.HasPrefix(b, p.BaseURL) {
			return "", fmt.Errorf("package %s: xml:base %q is outside repository %s: %w", p.NEVRA(), p.LocationBase, p.BaseURL, ErrUnsafeLocation)
		}
		base = b
	}
	if base == "" {
		return "", fmt.Errorf("package %s has no base URL; read it with Open", p.NEVRA())
	}
	return joinURL(base, p.Location), nil
}

func (s *Store) fetchOne(ctx context.Context, p *Package, pr *progress) error {
	final, err := s.Path(p.Checksum)
	if err != nil {
		return fmt.Errorf("package %s: %w", p.NEVRA(), err)
	}
	if st, err := os.Stat(final); err == nil && st.Mode().IsRegular() {
		pr.add(p.Size)
		pr.emit(Event{Kind: FetchCached, Package: p.NEVRA(), Bytes: p.Size, Total: p.Size})
		return nil
	}
	u, err := packageURL(p)
	if err != nil {
		return err
	}
	part := filepath.Join(s.root, "partial", p.Checksum.Type+"-"+p.Checksum.Value)
	fp := &fileProgress{progress: pr}
	var last error
	fresh := false // set after a checksum failure: the partial file may have been bad
	for attempt := 1; attempt <= s.opts.Retries+1; attempt++ {
		if attempt > 1 {
			pr.emit(Event{Kind: FetchRetrying, Package: p.NEVRA(), Total: p.Size, Attempt: attempt, Err: last})
			s.opts.Logger.Debug("retrying download", "package", p.NEVRA(), "url", u, "attempt", attempt, "err", last)
			if !backoff(ctx, s.opts.Backoff, attempt-1) {
				return ctx.Err()
			}
		}
		if fresh {
			os.Remove(part)
		}
		err := s.download(ctx, p, u, part, final, attempt, fp)
		if err == nil {
			return nil
		}
		last = err
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if errors.Is(err, ErrChecksum) {
			// Retry once from scratch; a second mismatch means upstream serves this.
			if fresh {
				break
			}
			fresh = true
			continue
		}
		if !retryable(err) {
			break
		}
	}
	return fmt.Errorf("fetching %s from %s: %w", p.NEVRA(), u, last)
}

// download resumes or starts one transfer into part and, when the bytes verify, renames it
// to final. A mismatch deletes part, so nothing unverified is ever visible or reused.
func (s *Store) download(ctx context.Context, p *Package, u, part, final string, attempt int, pr *fileProgress) error {
	h, err := newHash(p.Checksum.Type)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(part, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("opening partial file: %w", err)
	}
	defer f.Close()
	have, err := io.Copy(h, f) // hash what an earlier run left
	if err != nil {
		return err
	}
	if p.Size > 0 && have > p.Size {
		if err := f.Truncate(0); err != nil {
			return err
		}
		h.Reset()
		have = 0
	}
	pr.set(have)
	pr.emit(Event{Kind: FetchStarted, Package: p.NEVRA(), Bytes: have, Total: p.Size, Attempt: attempt})
	if p.Size == 0 || have < p.Size {
		if err := s.transfer(ctx, p, u, f, h, have, attempt, pr); err != nil {
			return err
		}
	}
	size, _ := f.Seek(0, io.SeekEnd)
	got := hex.EncodeToString(h.Sum(nil))
	if got != p.Checksum.Value || (p.Size > 0 && size != p.Size) {
		f.Close()
		os.Remove(part)
		pr.set(0)
		return fmt.Errorf("%s has %s %s (%d bytes), metadata says %s (%d bytes): %w",
			u, p.Checksum.Type, got, size, p.Checksum.Value, p.Size, ErrChecksum)
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
		return err
	}
	if err := os.Rename(part, final); err != nil {
		return fmt.Errorf("storing %s: %w", p.NEVRA(), err)
	}
	pr.emit(Event{Kind: FetchDone, Package: p.NEVRA(), Bytes: size, Total: p.Size, Attempt: attempt})
	return nil
}

// transfer appends the rest of the file (from offset have) to f and h. A server ignoring
// Range (200) restarts the file from zero.
func (s *Store) transfer(ctx context.Context, p *Package, u string, f *os.File, h hash.Hash, have int64, attempt int, pr *fileProgress) error {
	if strings.HasPrefix(u, "file://") {
		rc, err := openURL(ctx, s.opts, u)
		if err != nil {
			return err
		}
		defer rc.Close()
		if _, err := io.CopyN(io.Discard, rc, have); err != nil {
			return err
		}
		return s.copyBody(ctx, p, rc, f, h, have, attempt, pr)
	}
	rctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	req, err := http.NewRequestWithContext(rctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	if have > 0 {
		req.Header.Set("Range", "bytes="+strconv.FormatInt(have, 10)+"-")
	}
	resp, err := s.opts.Client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusPartialContent && have > 0 &&
		strings.HasPrefix(resp.Header.Get("Content-Range"), "bytes "+strconv.FormatInt(have, 10)+"-"):
	case resp.StatusCode == http.StatusOK:
		if have > 0 {
			if err := f.Truncate(0); err != nil {
				return err
			}
			if _, err := f.Seek(0, io.SeekStart); err != nil {
				return err
			}
			h.Reset()
			pr.set(0)
			have = 0
		}
	case resp.StatusCode == http.StatusRequestedRangeNotSatisfiable:
		f.Truncate(0)
		pr.set(0)
		return &statusError{URL: u, Code: http.StatusServiceUnavailable} // retry from zero
	default:
		return &statusError{URL: u, Code: resp.StatusCode}
	}
	body := &stallReader{r: resp.Body, timeout: s.opts.StallTimeout, cancel: cancel}
	err = s.copyBody(ctx, p, body, f, h, have, attempt, pr)
	if err != nil && context.Cause(rctx) == errStalled {
		err = fmt.Errorf("%w after %d bytes", errStalled, pr.counted)
	}
	return err
}

const progressEvery = 256 << 10

// copyBody streams r into f and h, refusing more bytes than the metadata size.
func (s *Store) copyBody(ctx context.Context, p *Package, r io.Reader, f *os.File, h hash.Hash, have int64, attempt int, pr *fileProgress) error {
	buf := make([]byte, 64<<10)
	n, sinceEvent := have, int64(0)
	for {
		// Checked here too: a body already buffered locally would not notice the cancel.
		if err := ctx.Err(); err != nil {
			return err
		}
		m, err := r.Read(buf)
		if m > 0 {
			if p.Size > 0 && n+int64(m) > p.Size {
				return fmt.Errorf("server sent more than the %d bytes the metadata names: %w", p.Size, ErrChecksum)
			}
			if _, werr := f.Write(buf[:m]); werr != nil {
				return werr
			}
			h.Write(buf[:m])
			n += int64(m)
			sinceEvent += int64(m)
			pr.set(n)
			if sinceEvent >= progressEvery {
				sinceEvent = 0
				pr.emit(Event{Kind: FetchProgress, Package: p.NEVRA(), Bytes: n, Total: p.Size, Attempt: attempt})
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}
