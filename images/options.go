package images

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
)

// OnExisting says what Push does when a target tag already holds another digest.
type OnExisting string

// The on-existing policies; a tag that already holds the same digest is never rewritten.
const (
	OnExistingSkip      OnExisting = "skip"
	OnExistingOverwrite OnExisting = "overwrite"
	OnExistingError     OnExisting = "error"
)

// ParseOnExisting checks a policy given on the command line.
func ParseOnExisting(s string) (OnExisting, error) {
	switch p := OnExisting(s); p {
	case OnExistingSkip, OnExistingOverwrite, OnExistingError:
		return p, nil
	}
	return "", fmt.Errorf("on-existing policy %q: want skip, overwrite or error", s)
}

// Option configures Resolve, Pull and Push.
type Option func(*options)

type options struct {
	keychain    authn.Keychain
	transport   http.RoundTripper
	insecure    bool
	concurrency int
	registry    string
	onExisting  OnExisting
	progress    func(Update)
	logger      *slog.Logger
	attempts    int
	backoff     time.Duration
	maxWait     time.Duration
	sleep       func(context.Context, time.Duration) error
}

// defaults are in one place: four transfers at once, five attempts per request starting at
// half a second, Retry-After honoured up to two minutes, existing tags with another digest
// are an error (a site registry is not silently changed).
func makeOptions(opts []Option) *options {
	o := &options{
		keychain:    authn.DefaultKeychain,
		concurrency: 4,
		onExisting:  OnExistingError,
		attempts:    5,
		backoff:     500 * time.Millisecond,
		maxWait:     2 * time.Minute,
		sleep:       sleepCtx,
		logger:      slog.New(slog.DiscardHandler),
	}
	for _, opt := range opts {
		opt(o)
	}
	if o.concurrency < 1 {
		o.concurrency = 1
	}
	if o.attempts < 1 {
		o.attempts = 1
	}
	return o
}

// WithKeychain sets where registry credentials come from (default authn.DefaultKeychain: the
// docker config and its credential helpers). Credentials are never logged or put in errors.
func WithKeychain(k authn.Keychain) Option { return func(o *options) { o.keychain = k } }

// WithTransport sets the HTTP transport under the retry layer (default: HTTP/1.1 only).
func WithTransport(t http.RoundTripper) Option { return func(o *options) { o.transport = t } }

// WithInsecure allows plain HTTP and unverified TLS for every registry. Loopback registries
// (127.0.0.1, ::1, localhost) always use plain HTTP without it.
func WithInsecure(insecure bool) Option { return func(o *options) { o.insecure = insecure } }

// WithConcurrency bounds how many images are transferred at once, and how many blobs of one
// image (default 4).
func WithConcurrency(n int) Option { return func(o *options) { o.concurrency = n } }

// WithRegistry replaces the registry host of every push target ("registry.dc1:5000").
func WithRegistry(host string) Option { return func(o *options) { o.registry = host } }

// WithOnExisting sets the policy for target tags that hold another digest (default error).
func WithOnExisting(p OnExisting) Option { return func(o *options) { o.onExisting = p } }

// WithProgress receives progress events. Calls are serialized, never concurrent; keep the
// callback quick, it holds up the transfer.
func WithProgress(f func(Update)) Option { return func(o *options) { o.progress = f } }

// WithLogger logs requests retried and blobs skipped at debug level (default: discard).
func WithLogger(l *slog.Logger) Option {
	return func(o *options) {
		if l != nil {
			o.logger = l
		}
	}
}

// WithRetry sets the attempts per request and the first backoff delay (doubled each time).
func WithRetry(attempts int, backoff time.Duration) Option {
	return func(o *options) { o.attempts, o.backoff = attempts, backoff }
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
