package images

import (
	"context"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/validate"
	"github.com/palletizer/palletizer/images/imagestest"
)

// bundle pulls the INDIGO fixtures into a fresh bundle whose targets name targetHost.
func bundle(t *testing.T, targetHost string) (string, []Pulled) {
	t.Helper()
	reg, _ := upstream(t)
	imgs := indigoImages(reg.Host)
	for i := range imgs {
		imgs[i].Target = strings.Replace(imgs[i].Target, "site.test:5000", targetHost, 1)
	}
	dir := t.TempDir()
	res, err := Pull(context.Background(), dir, imgs)
	if err != nil {
		t.Fatal(err)
	}
	return dir, res
}

// counter counts requests by method and path kind, and can run a hook per request.
type counter struct {
	mu      sync.Mutex
	n       map[string]int
	uploads map[string]int // blob digest -> completed uploads
	hook    func(w http.ResponseWriter, r *http.Request) bool
	next    http.Handler
}

func newCounter(next http.Handler) *counter {
	return &counter{n: map[string]int{}, uploads: map[string]int{}, next: next}
}

func (c *counter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	kind := "other"
	switch {
	case strings.Contains(r.URL.Path, "/blobs/uploads/"):
		kind = "upload"
	case strings.Contains(r.URL.Path, "/blobs/"):
		kind = "blob"
	case strings.Contains(r.URL.Path, "/manifests/"):
		kind = "manifest"
	}
	c.n[r.Method+" "+kind]++
	hook := c.hook
	c.mu.Unlock()
	if hook != nil && hook(w, r) {
		return
	}
	if d := r.URL.Query().Get("digest"); d != "" && r.Method == http.MethodPut {
		rec := &statusRecorder{ResponseWriter: w}
		c.next.ServeHTTP(rec, r)
		if rec.status == http.StatusCreated {
			c.mu.Lock()
			c.uploads[d]++
			c.mu.Unlock()
		}
		return
	}
	c.next.ServeHTTP(w, r)
}

func (c *counter) get(k string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[k]
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func TestPushPreservesDigestsAndSkipsExisting(t *testing.T) {
	cnt := newCounter(imagestest.RegistryHandler())
	target := imagestest.Serve(cnt)
	defer target.Close()
	dir, pulled := bundle(t, "site.test:5000")
	ctx := context.Background()

	var mu sync.Mutex
	phases := map[string][]string{}
	res, err := Push(ctx, dir, nil, WithRegistry(target.Host), WithProgress(func(u Update) {
		mu.Lock()
		phases[u.Image] = append(phases[u.Image], u.Phase)
		mu.Unlock()
	}))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for _, p := range pulled {
		want[p.Name] = p.Digest
	}
	for _, p := range res {
		if p.Action != "pushed" || !strings.HasPrefix(p.Target, target.Host+"/indigo/") {
			t.Errorf("%s: %+v", p.Name, p)
		}
		ref, _ := name.ParseReference(p.Target)
		d, err := remote.Get(ref)
		if err != nil {
			t.Fatal(err)
		}
		if d.Digest.String() != want[p.Name] {
			t.Errorf("%s: registry serves %s, bundle holds %s", p.Name, d.Digest, want[p.Name])
		}
		if d.MediaType.IsIndex() {
			idx, _ := d.ImageIndex()
			err = validate.Index(idx)
		} else {
			img, _ := d.Image()
			err = validate.Image(img)
		}
		if err != nil {
			t.Errorf("%s: %v", p.Name, err)
		}
		if ph := phases[p.Name]; len(ph) < 2 || ph[len(ph)-1] != "done" {
			t.Errorf("%s: progress phases %v", p.Name, ph)
		}
	}
	// Shared base layer: uploaded once, though four images hold it.
	for d, n := range cnt.uploads {
		if n != 1 {
			t.Errorf("blob %s uploaded %d times", d, n)
		}
	}

	// Second push: every tag holds its digest; nothing is uploaded, one HEAD per image.
	uploads := cnt.get("POST upload")
	res, err = Push(ctx, dir, nil, WithRegistry(target.Host))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range res {
		if p.Action != "unchanged" {
			t.Errorf("%s: second push did %s", p.Name, p.Action)
		}
	}
	if got := cnt.get("POST upload"); got != uploads {
		t.Errorf("second push started %d uploads", got-uploads)
	}
}

func TestPushOnExisting(t *testing.T) {
	target := imagestest.NewRegistry()
	defer target.Close()
	dir, _ := bundle(t, target.Host)
	ctx := context.Background()
	// Another image already sits at zookeeper's target tag.
	other, _ := imagestest.Image(imagestest.ImageSpec{Seed: 42, LayerSizes: []int64{10}})
	ref, _ := name.ParseReference(target.Host + "/indigo/zookeeper:latest")
	if err := remote.Write(ref, other); err != nil {
		t.Fatal(err)
	}
	otherDigest, _ := other.Digest()
	zk := []Image{{Name: "zookeeper"}}

	_, err := Push(ctx, dir, zk) // default policy: error
	if !errors.Is(err, ErrTagExists) || !strings.Contains(err.Error(), `"zookeeper"`) {
		t.Fatalf("default policy: %v", err)
	}
	res, err := Push(ctx, dir, zk, WithOnExisting(OnExistingSkip))
	if err != nil || res[0].Action != "skipped" {
		t.Fatalf("skip: %+v %v", res, err)
	}
	if d, _ := remote.Head(ref); d.Digest != otherDigest {
		t.Fatal("skip changed the tag")
	}
	res, err = Push(ctx, dir, zk, WithOnExisting(OnExistingOverwrite))
	if err != nil || res[0].Action != "overwritten" {
		t.Fatalf("overwrite: %+v %v", res, err)
	}
	if d, _ := remote.Head(ref); d.Digest.String() != res[0].Digest {
		t.Fatal("overwrite did not move the tag")
	}
	if _, err := ParseOnExisting("replace"); err == nil {
		t.Error("ParseOnExisting accepted an unknown policy")
	}
}

func TestPushLockedAndUnknown(t *testing.T) {
	target := imagestest.NewRegistry()
	defer target.Close()
	dir, pulled := bundle(t, target.Host)
	_, err := Push(context.Background(), dir, []Image{{Name: "chronos", Digest: "sha256:" + strings.Repeat("0", 64)}})
	var drift *DriftError
	if !errors.As(err, &drift) || drift.Image != "chronos" {
		t.Errorf("locked digest differing from the bundle: %v", err)
	}
	_, err = Push(context.Background(), dir, []Image{{Name: "consul"}})
	if !errors.Is(err, ErrNotInBundle) || !strings.Contains(err.Error(), `"consul"`) {
		t.Errorf("unknown image: %v", err)
	}
	for _, p := range pulled {
		if p.Name == "chronos" {
			if _, err := Push(context.Background(), dir, []Image{{Name: "chronos", Digest: p.SourceDigest}}); err != nil {
				t.Errorf("locked digest matching the bundle: %v", err)
			}
		}
	}
}

func TestPushInterruptedResumes(t *testing.T) {
	cnt := newCounter(imagestest.RegistryHandler())
	target := imagestest.Serve(cnt)
	defer target.Close()
	dir, _ := bundle(t, target.Host)

	// A registry that dies after three blob uploads: every later request fails.
	var mu sync.Mutex
	committed := 0
	cnt.hook = func(w http.ResponseWriter, r *http.Request) bool {
		mu.Lock()
		defer mu.Unlock()
		if committed >= 3 {
			http.Error(w, "gone", http.StatusBadGateway)
			return true
		}
		if r.Method == http.MethodPut && r.URL.Query().Get("digest") != "" {
			committed++
		}
		return false
	}
	_, err := Push(context.Background(), dir, nil, WithConcurrency(1), WithRetry(2, 0))
	if err == nil {
		t.Fatal("push to a failing registry succeeded")
	}
	first := map[string]int{}
	cnt.mu.Lock()
	for d, n := range cnt.uploads {
		first[d] = n
	}
	cnt.hook = nil
	cnt.mu.Unlock()
	if len(first) == 0 {
		t.Fatal("no blob was uploaded before the failure")
	}

	if _, err := Push(context.Background(), dir, nil); err != nil {
		t.Fatal(err)
	}
	b, _ := OpenBundle(dir)
	total := map[string]bool{}
	for _, e := range b.Entries {
		for _, bl := range e.blobs {
			total[bl.digest.String()] = true
		}
	}
	for d, n := range cnt.uploads {
		if n != 1 {
			t.Errorf("blob %s uploaded %d times (first run %d)", d, n, first[d])
		}
	}
	if len(cnt.uploads) == 0 || len(first) >= len(cnt.uploads) {
		t.Errorf("first run uploaded %d blobs, both runs %d", len(first), len(cnt.uploads))
	}
}

func TestPushHonoursRetryAfter(t *testing.T) {
	cnt := newCounter(imagestest.RegistryHandler())
	target := imagestest.Serve(cnt)
	defer target.Close()
	dir, _ := bundle(t, target.Host)

	// Every third manifest or upload request is refused with 429 and Retry-After: 7.
	var mu sync.Mutex
	seen, refused := 0, 0
	cnt.hook = func(w http.ResponseWriter, r *http.Request) bool {
		mu.Lock()
		defer mu.Unlock()
		if !strings.Contains(r.URL.Path, "/manifests/") && !strings.Contains(r.URL.Path, "/uploads/") {
			return false
		}
		if seen++; seen%3 == 0 {
			refused++
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(http.StatusTooManyRequests)
			return true
		}
		return false
	}
	var waits []int
	var wmu sync.Mutex
	sleep := func(ctx context.Context, d time.Duration) error {
		wmu.Lock()
		waits = append(waits, int(d.Seconds()))
		wmu.Unlock()
		return nil
	}
	res, err := Push(context.Background(), dir, nil, func(o *options) { o.sleep = sleep })
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 4 || refused == 0 {
		t.Fatalf("%d images pushed, %d requests refused", len(res), refused)
	}
	// A refused request whose context go-containerregistry has already cancelled (a sibling
	// upload finished the blob) is abandoned rather than waited for, so waits can fall short of
	// refusals under concurrency; never exceed them, and each must be what Retry-After said.
	if len(waits) == 0 || len(waits) > refused {
		t.Errorf("%d requests refused with 429, %d waits", refused, len(waits))
	}
	for _, w := range waits {
		if w != 7 {
			t.Errorf("waited %ds, Retry-After said 7", w)
		}
	}
}

func TestRetryAfterParsing(t *testing.T) {
	now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"3", 3 * time.Second, true},
		{"Mon, 01 Jan 2024 00:00:10 GMT", 10 * time.Second, true},
		{"Sun, 31 Dec 2023 00:00:10 GMT", 0, true},
		{"soon", 0, false},
		{"", 0, false},
	} {
		got, ok := retryAfter(c.in, now)
		if got != c.want || ok != c.ok {
			t.Errorf("retryAfter(%q) = %v, %v", c.in, got, ok)
		}
	}
}

func TestCredentialsNeverInErrors(t *testing.T) {
	const user, secret = "deployer", "s3cr3t-Pa55word-never-shown"
	reg := imagestest.RegistryHandler()
	target := imagestest.Serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, p, ok := r.BasicAuth()
		if !ok || u != user || p != secret+"-right" {
			w.Header().Set("WWW-Authenticate", `Basic realm="site"`)
			http.Error(w, `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`, http.StatusUnauthorized)
			return
		}
		reg.ServeHTTP(w, r)
	}))
	defer target.Close()
	dir, _ := bundle(t, target.Host)
	var logs strings.Builder
	_, err := Push(context.Background(), dir, nil, WithKeychain(staticKeychain{user, secret}),
		WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	if err == nil {
		t.Fatal("push with a wrong password succeeded")
	}
	for _, s := range []string{secret, base64.StdEncoding.EncodeToString([]byte(user + ":" + secret))} {
		if strings.Contains(err.Error(), s) || strings.Contains(logs.String(), s) {
			t.Fatalf("credentials leaked: %v", err)
		}
	}
	if _, err := Push(context.Background(), dir, nil, WithKeychain(staticKeychain{user, secret + "-right"})); err != nil {
		t.Fatalf("push with the right password: %v", err)
	}
}

type staticKeychain struct{ user, pass string }

func (k staticKeychain) Resolve(authn.Resource) (authn.Authenticator, error) {
	return authn.FromConfig(authn.AuthConfig{Username: k.user, Password: k.pass}), nil
}
