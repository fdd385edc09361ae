package mirrors

import (
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Options tune network access and resource bounds for Open and Store. The zero value is
// ready to use: a keep-alive HTTP client, 4 parallel downloads, 5 retries starting at 200 ms,
// a 60 s stall timeout, 1 GiB of decompressed metadata per file, no progress, no logging.
type Options struct {
	// Client does every HTTP request; nil means a client tuned for many small files from
	// few hosts (keep-alive, idle connections per host = 2 x Concurrency, proxy from the
	// environment). Its Timeout should be zero: large files take long; stalls are caught
	// by StallTimeout instead.
	Client *http.Client
	// Concurrency bounds parallel package downloads (default 4).
	Concurrency int
	// Retries is how many times a failed request (timeout, reset, 5xx, 429) is retried
	// (default 5; negative means never).
	Retries int
	// Backoff is the first wait between retries, doubled each time up to 10 s (default 200 ms).
	Backoff time.Duration
	// StallTimeout aborts (and retries) a transfer that delivers no byte for this long (60 s).
	StallTimeout time.Duration
	// MaxMetadataSize caps each decompressed metadata file (default 1 GiB).
	MaxMetadataSize int64
	// Progress receives fetch events. Calls are serialised, so it needs no locking, and
	// should return quickly.
	Progress func(Event)
	// Logger receives debug lines (retries, cache hits); nil discards them.
	Logger *slog.Logger
}

func (o Options) withDefaults() Options {
	if o.Concurrency <= 0 {
		o.Concurrency = 4
	}
	if o.Retries == 0 {
		o.Retries = 5
	} else if o.Retries < 0 {
		o.Retries = 0
	}
	if o.Backoff <= 0 {
		o.Backoff = 200 * time.Millisecond
	}
	if o.StallTimeout <= 0 {
		o.StallTimeout = 60 * time.Second
	}
	if o.MaxMetadataSize <= 0 {
		o.MaxMetadataSize = 1 << 30
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Client == nil {
		o.Client = &http.Client{Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConns:          64,
			MaxIdleConnsPerHost:   2 * o.Concurrency,
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   10 * time.Second,
			ResponseHeaderTimeout: 30 * time.Second,
			ForceAttemptHTTP2:     true,
		}}
	}
	return o
}

// EventKind says what happened to a file being fetched.
type EventKind int

const (
	// FetchStarted: a download began (or resumed: Bytes > 0).
	FetchStarted EventKind = iota
	// FetchProgress: Bytes of Total arrived.
	FetchProgress
	// FetchRetrying: the transfer failed with Err and will be retried after a wait.
	FetchRetrying
	// FetchDone: the file was verified and stored.
	FetchDone
	// FetchCached: the store already held the file; nothing was downloaded.
	FetchCached
	// FetchFailed: the file could not be fetched; Err says why.
	FetchFailed
)

// Event reports the progress of a Fetch, per file and for the whole call.
type Event struct {
	Kind     EventKind
	Package  string // NEVRA
	Bytes    int64  // of this file so far
	Total    int64  // size of this file
	AllBytes int64  // of the whole Fetch so far (cached files count as done)
	AllTotal int64  // size of the whole Fetch
	Attempt  int    // 1 for the first try
	Err      error
}
