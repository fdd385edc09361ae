package images

import "sync"

// tracker turns byte counts into Update events, per image, serialized and batched (one event
// per MiB) so a callback that renders a terminal line is not called for every read.
type tracker struct {
	mu       sync.Mutex
	f        func(Update)
	complete map[string]int64
	total    map[string]int64
	sent     map[string]int64
}

const progressStep = 1 << 20

func newTracker(f func(Update)) *tracker {
	return &tracker{f: f, complete: map[string]int64{}, total: map[string]int64{}, sent: map[string]int64{}}
}

func (t *tracker) start(name, phase string, total int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.total[name] = total
	t.emit(Update{Image: name, Phase: phase, Total: total})
}

func (t *tracker) setTotal(name string, total int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.total[name] = total
}

func (t *tracker) add(names []string, n int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, name := range names {
		t.complete[name] += n
		c := t.complete[name]
		if c-t.sent[name] >= progressStep || c == t.total[name] {
			t.sent[name] = c
			t.emit(Update{Image: name, Phase: "pulling", Complete: c, Total: t.total[name]})
		}
	}
}

// set records an absolute count (go-containerregistry reports totals so far).
func (t *tracker) set(name, phase string, complete, total int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.complete[name], t.total[name] = complete, total
	if complete-t.sent[name] >= progressStep || complete == total {
		t.sent[name] = complete
		t.emit(Update{Image: name, Phase: phase, Complete: complete, Total: total})
	}
}

func (t *tracker) phase(name, phase string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.emit(Update{Image: name, Phase: phase, Complete: t.complete[name], Total: t.total[name]})
}

func (t *tracker) fail(name string, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.emit(Update{Image: name, Phase: "failed", Complete: t.complete[name], Total: t.total[name], Err: err})
}

func (t *tracker) emit(u Update) {
	if t.f != nil {
		t.f(u)
	}
}
