package mirrors

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// statusError is an HTTP response that was not what was asked for.
type statusError struct {
	URL  string
	Code int
}

func (e *statusError) Error() string {
	return fmt.Sprintf("GET %s: HTTP %d %s", e.URL, e.Code, http.StatusText(e.Code))
}

// retryable tells transient failures (worth another try) from permanent ones.
func retryable(err error) bool {
	var se *statusError
	if errors.As(err, &se) {
		return se.Code >= 500 || se.Code == http.StatusTooManyRequests || se.Code == http.StatusRequestTimeout
	}
	if errors.Is(err, context.Canceled) {
		return false
	}
	var ne net.Error
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, errStalled) || errors.Is(err, context.DeadlineExceeded) ||
		errors.As(err, &ne) || strings.Contains(err.Error(), "connection reset")
}

// backoff waits before attempt n (1-based retries), doubling up to 10 s; false if ctx ended.
func backoff(ctx context.Context, first time.Duration, n int) bool {
	d := first << (n - 1)
	if d > 10*time.Second || d <= 0 {
		d = 10 * time.Second
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// openURL opens a repository file for reading: http(s) with retries until the response
// headers arrive, or a local file for file:// URLs.
func openURL(ctx context.Context, o Options, u string) (io.ReadCloser, error) {
	if strings.HasPrefix(u, "file://") {
		pu, err := url.Parse(u)
		if err != nil {
			return nil, err
		}
		return os.Open(pu.Path)
	}
	var last error
	for attempt := 0; attempt <= o.Retries; attempt++ {
		if attempt > 0 {
			o.Logger.Debug("retrying", "url", u, "attempt", attempt, "err", last)
			if !backoff(ctx, o.Backoff, attempt) {
				return nil, ctx.Err()
			}
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return nil, err
		}
		resp, err := o.Client.Do(req)
		if err == nil {
			if resp.StatusCode == http.StatusOK {
				return resp.Body, nil
			}
			resp.Body.Close()
			err = &statusError{URL: u, Code: resp.StatusCode}
		}
		last = err
		if !retryable(err) || ctx.Err() != nil {
			break
		}
	}
	return nil, last
}

// readURL reads a small file whole, failing if it exceeds limit bytes.
func readURL(ctx context.Context, o Options, u string, limit int64) ([]byte, error) {
	var last error
	for attempt := 0; attempt <= o.Retries; attempt++ {
		if attempt > 0 && !backoff(ctx, o.Backoff, attempt) {
			return nil, ctx.Err()
		}
		rc, err := openURL(ctx, Options{Client: o.Client, Logger: o.Logger}, u)
		if err != nil {
			if !retryable(err) {
				return nil, err
			}
			last = err
			continue
		}
		b, err := io.ReadAll(io.LimitReader(rc, limit+1))
		rc.Close()
		if err == nil && int64(len(b)) > limit {
			return nil, fmt.Errorf("%s: %w", u, ErrTooLarge)
		}
		if err == nil {
			return b, nil
		}
		last = fmt.Errorf("reading %s: %w", u, err)
		if !retryable(err) {
			break
		}
	}
	return nil, last
}

var errStalled = errors.New("transfer stalled")

// stallReader cancels a transfer that delivers nothing for the stall timeout, so a silent
// server cannot hang a run: the cancel is armed before each read and cleared after.
type stallReader struct {
	r       io.Reader
	timeout time.Duration
	cancel  context.CancelCauseFunc
}

func (s *stallReader) Read(p []byte) (int, error) {
	t := time.AfterFunc(s.timeout, func() { s.cancel(errStalled) })
	n, err := s.r.Read(p)
	if !t.Stop() && n == 0 {
		return 0, errStalled
	}
	return n, err
}

// joinURL resolves a repository-relative location against a base URL ending in "/".
func joinURL(base, loc string) string { return base + loc }

// normalizeBase turns a base URL or a local directory into a URL ending in "/".
func normalizeBase(base string) (string, error) {
	switch {
	case strings.HasPrefix(base, "http://"), strings.HasPrefix(base, "https://"), strings.HasPrefix(base, "file://"):
	case strings.Contains(base, "://"):
		return "", fmt.Errorf("unsupported repository URL %q: use http, https, file or a local directory", base)
	default:
		abs, err := filepath.Abs(base)
		if err != nil {
			return "", err
		}
		base = "file://" + abs
	}
	if !strings.HasSuffix(base, "/") {
		base += "/"
	}
	return base, nil
}
