package mirrortest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
)

// Fault may take over a request before the file server answers it: it returns true when it
// wrote the response itself.
type Fault func(w http.ResponseWriter, r *http.Request) bool

// Server serves a repository directory on loopback, counting requests per path and letting
// a test inject faults.
type Server struct {
	*httptest.Server
	mu     sync.Mutex
	counts map[string]int
	ranged map[string]int
	fault  Fault
	files  http.Handler
}

// Serve starts a server for dir; Close it when done.
func Serve(dir string) *Server {
	s := &Server{counts: map[string]int{}, ranged: map[string]int{}, files: http.FileServer(http.Dir(dir))}
	s.Server = httptest.NewServer(s)
	return s
}

// URL of the repository root, ending in "/".
func (s *Server) Root() string { return s.URL + "/" }

// SetFault installs (or, with nil, removes) a fault hook.
func (s *Server) SetFault(f Fault) {
	s.mu.Lock()
	s.fault = f
	s.mu.Unlock()
}

// Count is how many requests asked for path ("/Packages/x.rpm").
func (s *Server) Count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[path]
}

// RangeCount is how many of those carried a Range header.
func (s *Server) RangeCount(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ranged[path]
}

// Counts returns a copy of all request counts by path.
func (s *Server) Counts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.counts))
	for k, v := range s.counts {
		out[k] = v
	}
	return out
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.counts[r.URL.Path]++
	if r.Header.Get("Range") != "" {
		s.ranged[r.URL.Path]++
	}
	f := s.fault
	s.mu.Unlock()
	if f != nil && f(w, r) {
		return
	}
	s.files.ServeHTTP(w, r)
}

// FailTimes answers the first n requests for paths with the suffix with status code.
func FailTimes(suffix string, n, code int) Fault {
	var mu sync.Mutex
	return func(w http.ResponseWriter, r *http.Request) bool {
		if !strings.HasSuffix(r.URL.Path, suffix) {
			return false
		}
		mu.Lock()
		defer mu.Unlock()
		if n <= 0 {
			return false
		}
		n--
		http.Error(w, "injected failure", code)
		return true
	}
}

// DropAfter serves the first n requests for paths with the suffix truncated: it announces
// the full length, sends only `after` bytes (of the range asked for) and drops the connection.
func DropAfter(dir, suffix string, n int, after int64) Fault {
	var mu sync.Mutex
	return func(w http.ResponseWriter, r *http.Request) bool {
		if !strings.HasSuffix(r.URL.Path, suffix) {
			return false
		}
		mu.Lock()
		if n <= 0 {
			mu.Unlock()
			return false
		}
		n--
		mu.Unlock()
		rec := httptest.NewRecorder()
		http.FileServer(http.Dir(dir)).ServeHTTP(rec, r)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		body := rec.Body.Bytes()
		if int64(len(body)) > after {
			body = body[:after]
		}
		w.Write(body)
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		panic(http.ErrAbortHandler) // the server drops the connection mid-body

	}
}

// Replace serves body instead of the file for paths with the suffix (a tampered package,
// hostile metadata).
func Replace(suffix string, body []byte) Fault {
	return func(w http.ResponseWriter, r *http.Request) bool {
		if !strings.HasSuffix(r.URL.Path, suffix) {
			return false
		}
		w.Write(body)
		return true
	}
}
