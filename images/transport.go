package images

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// baseTransport speaks HTTP/1.1 only: parallel pushes over HTTP/2 have hung in
// go-containerregistry (issue 1210), and a registry gains nothing from multiplexing big blobs.
func baseTransport(insecure bool) http.RoundTripper {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.ForceAttemptHTTP2 = false
	t.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
	t.MaxIdleConnsPerHost = 32
	t.ResponseHeaderTimeout = 5 * time.Minute
	if insecure {
		t.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // asked for by WithInsecure
	}
	return t
}

// retryTransport retries a request on 408, 429 and 5xx answers and on network errors, waiting
// what Retry-After asks (go-containerregistry retries 429 on a fixed schedule and ignores
// Retry-After). A request whose body cannot be replayed (a streamed blob) is not retried
// here: the wait is still honoured, then the answer goes up to go-containerregistry, which
// restarts the whole blob upload.
type retryTransport struct {
	inner    http.RoundTripper
	attempts int
	backoff  time.Duration
	maxWait  time.Duration
	sleep    func(context.Context, time.Duration) error
	log      *slog.Logger
}

func (o *options) roundTripper() http.RoundTripper {
	inner := o.transport
	if inner == nil {
		inner = baseTransport(o.insecure)
	}
	return &retryTransport{inner: inner, attempts: o.attempts, backoff: o.backoff, maxWait: o.maxWait, sleep: o.sleep, log: o.logger}
}

// remoteOptions are the go-containerregistry options every call shares. Its own status-code
// retries are turned off (they would multiply ours); its blob-upload retry stays, with our backoff.
func (o *options) remoteOptions(ctx context.Context) []remote.Option {
	return []remote.Option{
		remote.WithContext(ctx),
		remote.WithTransport(o.roundTripper()),
		remote.WithAuthFromKeychain(o.keychain),
		remote.WithJobs(o.concurrency),
		remote.WithUserAgent("palletizer"),
		remote.WithRetryStatusCodes(),
		remote.WithRetryBackoff(remote.Backoff{Duration: o.backoff, Factor: 2, Jitter: 0.1, Steps: o.attempts}),
	}
}

func retryable(code int) bool {
	switch code {
	case http.StatusRequestTimeout, http.StatusTooManyRequests, http.StatusInternalServerError,
		http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	replayable := req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
	delay := t.backoff
	for attempt := 1; ; attempt++ {
		resp, err := t.inner.RoundTrip(req)
		if ctxErr := req.Context().Err(); ctxErr != nil {
			return resp, err
		}
		var wait time.Duration
		switch {
		case err != nil:
			var ne net.Error
			if !errors.As(err, &ne) && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
				return nil, err
			}
			wait = delay
		case retryable(resp.StatusCode):
			wait = delay
			if ra, ok := retryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
				wait = ra
			}
		default:
			return resp, nil
		}
		wait = min(wait, t.maxWait)
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		if !replayable {
			// A streamed upload told to slow down: wait as asked, then let the caller restart it.
			if resp != nil && resp.Header.Get("Retry-After") != "" {
				t.log.Debug("registry asked to wait", "method", req.Method, "host", req.URL.Host, "status", status, "wait", wait)
				if serr := t.sleep(req.Context(), wait); serr != nil {
					resp.Body.Close()
					return nil, serr
				}
			}
			return resp, err
		}
		if attempt >= t.attempts {
			return resp, err
		}
		t.log.Debug("registry request retried", "method", req.Method, "host", req.URL.Host, "status", status, "wait", wait, "attempt", attempt)
		if resp != nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
		}
		if serr := t.sleep(req.Context(), wait); serr != nil {
			return nil, serr
		}
		if req.GetBody != nil {
			body, gerr := req.GetBody()
			if gerr != nil {
				return nil, gerr
			}
			req = req.Clone(req.Context())
			req.Body = body
		}
		delay *= 2
	}
}

// retryAfter reads a Retry-After header: delay-seconds or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second, true
	}
	if at, err := http.ParseTime(v); err == nil {
		d := at.Sub(now)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}
