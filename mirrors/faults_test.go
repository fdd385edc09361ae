package mirrors_test

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/palletizer/palletizer/mirrors"
	"github.com/palletizer/palletizer/mirrors/mirrortest"
)

// bigRepo has packages large enough that a transfer can be cut in the middle.
func bigRepo() mirrortest.Repository {
	return mirrortest.Repository{Packages: []mirrortest.RPM{
		{Name: "mesos", Version: "1.4.0", Release: "1", PayloadSize: 600 << 10, Files: []string{"/usr/sbin/mesos-master"}},
		{Name: "marathon", Version: "1.5.1", Release: "1", PayloadSize: 300 << 10, Requires: []string{"mesos"}},
		{Name: "chronos", Version: "2.5.0", Release: "1", PayloadSize: 100 << 10},
	}}
}

func openAll(t *testing.T, srv *mirrortest.Server) *mirrors.Index {
	t.Helper()
	ix, err := mirrors.Open(context.Background(), mirrors.Repo{Name: "up", BaseURL: srv.Root()}, fastOpts())
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

func objects(t *testing.T, root string) int {
	n := 0
	filepath.Walk(filepath.Join(root, "objects"), func(p string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() {
			n++
		}
		return nil
	})
	return n
}

func TestFetchResumesAfterDroppedConnections(t *testing.T) {
	dir, srv := upstream(t, bigRepo())
	ix := openAll(t, srv)
	// Every package transfer is cut twice after 200 KiB; each retry must resume with Range.
	srv.SetFault(mirrortest.DropAfter(dir, ".rpm", 6, 200<<10))
	store, _ := mirrors.NewStore(t.TempDir(), fastOpts())
	if err := store.Fetch(context.Background(), ix.Packages); err != nil {
		t.Fatal(err)
	}
	for _, p := range ix.Packages {
		if !store.Has(p) {
			t.Errorf("%s missing from the store", p.NEVRA())
		}
		if p.Size > 200<<10 && srv.RangeCount("/"+p.Location) == 0 {
			t.Errorf("%s: no Range request after a dropped connection", p.NEVRA())
		}
	}
}

func TestFetchRetries5xx(t *testing.T) {
	_, srv := upstream(t, bigRepo())
	ix := openAll(t, srv)
	srv.SetFault(mirrortest.FailTimes(".rpm", 4, http.StatusServiceUnavailable))
	store, _ := mirrors.NewStore(t.TempDir(), fastOpts())
	if err := store.Fetch(context.Background(), ix.Packages); err != nil {
		t.Fatal(err)
	}
	if got := objects(t, store.Root()); got != 3 {
		t.Errorf("store holds %d files, want 3", got)
	}
	// A permanent 500 gives up after the retries and names the package.
	before := srv.Count("/" + ix.Packages[0].Location)
	srv.SetFault(mirrortest.FailTimes(".rpm", 1000, http.StatusInternalServerError))
	store2, _ := mirrors.NewStore(t.TempDir(), mirrors.Options{Backoff: 1, Retries: 2})
	err := store2.Fetch(context.Background(), ix.Packages[:1])
	if err == nil || !strings.Contains(err.Error(), ix.Packages[0].NEVRA()) || !strings.Contains(err.Error(), "500") {
		t.Errorf("err = %v, want a 500 naming %s", err, ix.Packages[0].NEVRA())
	}
	// Retries are bounded: the first try and two retries.
	if n := srv.Count("/"+ix.Packages[0].Location) - before; n != 3 {
		t.Errorf("%d requests for a permanently failing file, want 3", n)
	}
}

func TestTamperedPackageIsRefused(t *testing.T) {
	dir, srv := upstream(t, bigRepo())
	ix := openAll(t, srv)
	target := ix.Packages[0]
	good, err := os.ReadFile(filepath.Join(dir, target.Location))
	if err != nil {
		t.Fatal(err)
	}
	bad := bytes.Clone(good)
	bad[len(bad)/2] ^= 0xff // same size, one byte flipped
	srv.SetFault(mirrortest.Replace(target.Location, bad))
	store, _ := mirrors.NewStore(t.TempDir(), fastOpts())
	err = store.Fetch(context.Background(), ix.Packages)
	if !errors.Is(err, mirrors.ErrChecksum) {
		t.Fatalf("err = %v, want ErrChecksum", err)
	}
	if store.Has(target) {
		t.Error("the tampered package became visible in the store")
	}
	if ents, _ := os.ReadDir(filepath.Join(store.Root(), "partial")); len(ents) != 0 {
		t.Errorf("unverified bytes left behind: %v", ents)
	}
	if objects(t, store.Root()) != 2 {
		t.Error("the untampered packages should still be fetched")
	}
}

func TestEscapingLocationIsRefused(t *testing.T) {
	for _, loc := range []string{"../../etc/passwd.rpm", "/etc/passwd.rpm", "http://elsewhere.invalid/x.rpm", "Packages/../../x.rpm"} {
		t.Run(loc, func(t *testing.T) {
			dir, srv := upstream(t, bigRepo())
			// Rewrite primary.xml with a hostile location and serve it under its repomd name.
			md, err := mirrors.ParseRepomd(mustOpen(t, filepath.Join(dir, "repodata", "repomd.xml")))
			if err != nil {
				t.Fatal(err)
			}
			primary := filepath.Join(dir, md.Find("primary").Location)
			zr, err := gzip.NewReader(mustOpen(t, primary))
			if err != nil {
				t.Fatal(err)
			}
			var plain bytes.Buffer
			plain.ReadFrom(zr)
			hostile := strings.Replace(plain.String(), `href="Packages/chronos`, `href="`+strings.TrimSuffix(loc, ".rpm")+`-`, 1)
			// Serve the hostile primary uncompressed: checksums are not what is tested here.
			srv.SetFault(mirrortest.Replace(md.Find("primary").Location, []byte(hostile)))
			_, err = mirrors.Open(context.Background(), mirrors.Repo{Name: "up", BaseURL: srv.Root()}, fastOpts())
			if !errors.Is(err, mirrors.ErrUnsafeLocation) {
				t.Fatalf("Open err = %v, want ErrUnsafeLocation", err)
			}
			// And Fetch refuses such a package even if a caller built it by hand.
			p := mirrors.Package{Name: "x", Location: loc, BaseURL: srv.Root(), Size: 1,
				Checksum: mirrors.Checksum{Type: "sha256", Value: strings.Repeat("ab", 32)}}
			store, _ := mirrors.NewStore(t.TempDir(), fastOpts())
			if err := store.Fetch(context.Background(), []mirrors.Package{p}); !errors.Is(err, mirrors.ErrUnsafeLocation) {
				t.Errorf("Fetch err = %v, want ErrUnsafeLocation", err)
			}
			if _, err := os.Stat("/etc/passwd.rpm"); err == nil {
				t.Error("something was written outside the store")
			}
		})
	}
}

func mustOpen(t *testing.T, name string) *os.File {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestCancelledFetchResumesWithoutRefetching(t *testing.T) {
	_, srv := upstream(t, bigRepo())
	ix := openAll(t, srv)
	ctx, cancel := context.WithCancel(context.Background())
	var done atomic.Int32
	opts := mirrors.Options{Backoff: 1, Concurrency: 1, Progress: func(e mirrors.Event) {
		// Cancel once the first file is complete and the second is under way.
		if e.Kind == mirrors.FetchDone {
			done.Add(1)
		}
		if e.Kind == mirrors.FetchProgress && done.Load() == 1 {
			cancel()
		}
	}}
	store, _ := mirrors.NewStore(t.TempDir(), opts)
	// Smallest first, then the largest, which the cancel cuts in the middle.
	slices.SortFunc(ix.Packages, func(a, b mirrors.Package) int { return cmp.Compare(a.Size, b.Size) })
	ix.Packages[1], ix.Packages[2] = ix.Packages[2], ix.Packages[1]
	err := store.Fetch(ctx, ix.Packages)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want cancelled", err)
	}
	before := srv.Counts()
	complete := map[string]bool{}
	for _, p := range ix.Packages {
		if store.Has(p) {
			complete[p.Location] = true
		}
	}
	if len(complete) != 1 {
		t.Fatalf("%d complete files after cancel, want 1", len(complete))
	}
	store2, _ := mirrors.NewStore(store.Root(), fastOpts())
	if err := store2.Fetch(context.Background(), ix.Packages); err != nil {
		t.Fatal(err)
	}
	resumed := 0
	for _, p := range ix.Packages {
		n := srv.Count("/"+p.Location) - before["/"+p.Location]
		if complete[p.Location] && n != 0 {
			t.Errorf("%s was complete but fetched again (%d requests)", p.NEVRA(), n)
		}
		if !complete[p.Location] && n != 1 {
			t.Errorf("%s: %d requests on resume, want 1", p.NEVRA(), n)
		}
		if before["/"+p.Location] > 0 && !complete[p.Location] && srv.RangeCount("/"+p.Location) > 0 {
			resumed++
		}
		if !store2.Has(p) {
			t.Errorf("%s missing after resume", p.NEVRA())
		}
	}
	if resumed != 1 {
		t.Errorf("%d transfers resumed with Range, want the 1 cut by the cancel", resumed)
	}
}

func TestMetadataSizeCap(t *testing.T) {
	_, srv := upstream(t, mirrortest.Mesosphere())
	_, err := mirrors.Open(context.Background(), mirrors.Repo{Name: "m", BaseURL: srv.Root()},
		mirrors.Options{MaxMetadataSize: 1000})
	if !errors.Is(err, mirrors.ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
}
