package mirrors

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Repo is one upstream repository as a recipe declares it.
type Repo struct {
	Name       string
	BaseURL    string // http(s)://, file:// or a local directory
	MirrorList string // a mirrorlist or metalink URL, tried when BaseURL is empty
	// GPGKey holds the armored public key(s) that sign repodata/repomd.xml.
	GPGKey []byte
	// GPGCheck requires repomd.xml.asc to verify against GPGKey. Packages are then covered
	// too: repomd.xml pins primary.xml's checksum, which pins every package's.
	GPGCheck bool
	Filter
}

// Filter selects packages of one repository.
type Filter struct {
	Include []string // name globs (path.Match syntax); empty means every package
	Exclude []string // name globs removed from the repository before anything else
	// Newest keeps only the newest EVR of each name and arch among the included packages.
	Newest bool
	// WithDependencies adds, across all repositories, what the included packages require.
	WithDependencies bool
	// Arches keeps only these architectures; empty means all but "src".
	Arches []string
}

// Index is an upstream repository's metadata, read and verified.
type Index struct {
	Repo     Repo
	BaseURL  string // the URL actually used (from BaseURL or the mirror list), ending in "/"
	Repomd   *Repomd
	Packages []Package
}

// WithFilter returns a copy of the index selecting with f, e.g. the package set of one role.
func (ix *Index) WithFilter(f Filter) *Index {
	c := *ix
	c.Repo.Filter = f
	return &c
}

const maxRepomdSize = 16 << 20

// Open reads a repository's repomd.xml (verifying its signature when GPGCheck is set),
// primary, filelists and other metadata, checking each file's checksum as it streams.
func Open(ctx context.Context, repo Repo, opts Options) (*Index, error) {
	o := opts.withDefaults()
	var bases []string
	if repo.BaseURL != "" {
		bases = []string{repo.BaseURL}
	} else if repo.MirrorList != "" {
		var err error
		if bases, err = resolveMirrorList(ctx, o, repo.MirrorList); err != nil {
			return nil, fmt.Errorf("repository %q: %w", repo.Name, err)
		}
	} else {
		return nil, fmt.Errorf("repository %q has neither a baseurl nor a mirrorlist", repo.Name)
	}
	var errs []error
	for _, b := range bases {
		ix, err := openBase(ctx, repo, b, o)
		if err == nil {
			return ix, nil
		}
		if ctx.Err() != nil || errors.Is(err, ErrBadSignature) {
			return nil, err
		}
		errs = append(errs, err)
	}
	return nil, fmt.Errorf("repository %q: no mirror worked: %w", repo.Name, errors.Join(errs...))
}

func openBase(ctx context.Context, repo Repo, rawBase string, o Options) (*Index, error) {
	base, err := normalizeBase(rawBase)
	if err != nil {
		return nil, fmt.Errorf("repository %q: %w", repo.Name, err)
	}
	repomdURL := base + "repodata/repomd.xml"
	raw, err := readURL(ctx, o, repomdURL, maxRepomdSize)
	if err != nil {
		return nil, fmt.Errorf("repository %q: reading %s: %w", repo.Name, repomdURL, err)
	}
	if repo.GPGCheck {
		if err := verifyRepomd(ctx, o, repo, repomdURL, raw); err != nil {
			return nil, err
		}
	}
	md, err := ParseRepomd(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("repository %q: %s: %w", repo.Name, repomdURL, err)
	}
	ix := &Index{Repo: repo, BaseURL: base, Repomd: md}

	primary := md.Find("primary")
	if primary == nil {
		return nil, fmt.Errorf("repository %q: %s lists no primary metadata", repo.Name, repomdURL)
	}
	byID := map[string]int{}
	err = readMetadata(ctx, o, base, primary, func(r io.Reader) error {
		return ParsePrimary(r, func(p *Package) error {
			p.Repo, p.BaseURL = repo.Name, base
			byID[p.Checksum.Value] = len(ix.Packages)
			ix.Packages = append(ix.Packages, *p)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("repository %q: %w", repo.Name, err)
	}
	if d := md.Find("filelists"); d != nil {
		err := readMetadata(ctx, o, base, d, func(r io.Reader) error {
			return ParseFilelists(r, func(fl *FileList) error {
				if i, ok := byID[fl.PkgID]; ok {
					ix.Packages[i].Files = fl.Files
				}
				return nil
			})
		})
		if err != nil {
			return nil, fmt.Errorf("repository %q: %w", repo.Name, err)
		}
	}
	if d := md.Find("other"); d != nil {
		err := readMetadata(ctx, o, base, d, func(r io.Reader) error {
			return ParseOther(r, func(od *OtherData) error {
				if i, ok := byID[od.PkgID]; ok {
					ix.Packages[i].Changelogs = od.Changelogs
				}
				return nil
			})
		})
		if err != nil {
			return nil, fmt.Errorf("repository %q: %w", repo.Name, err)
		}
	}
	return ix, nil
}

// readMetadata streams one metadata file through its checksum, the decompressor and parse.
// The parse result counts only if the compressed bytes match repomd.xml's checksum.
func readMetadata(ctx context.Context, o Options, base string, d *RepomdData, parse func(io.Reader) error) error {
	u := joinURL(base, d.Location)
	h, err := newHash(d.Checksum.Type)
	if err != nil {
		return fmt.Errorf("%s: %w", u, err)
	}
	var last error
	for attempt := 0; attempt <= o.Retries; attempt++ {
		if attempt > 0 && !backoff(ctx, o.Backoff, attempt) {
			return ctx.Err()
		}
		h.Reset()
		last = func() error {
			rc, err := openURL(ctx, o, u)
			if err != nil {
				return err
			}
			defer rc.Close()
			tee := io.TeeReader(rc, h)
			plain, err := decompress(tee, o.MaxMetadataSize)
			if err != nil {
				return fmt.Errorf("%s: %w", u, err)
			}
			defer plain.Close()
			if err := parse(plain); err != nil {
				return fmt.Errorf("parsing %s: %w", u, err)
			}
			if _, err := io.Copy(io.Discard, tee); err != nil {
				return err
			}
			if got := hex.EncodeToString(h.Sum(nil)); got != d.Checksum.Value {
				return fmt.Errorf("%s has %s %s, repomd.xml says %s: %w", u, d.Checksum.Type, got, d.Checksum.Value, ErrChecksum)
			}
			return nil
		}()
		if last == nil || !retryable(last) {
			return last
		}
	}
	return last
}

// resolveMirrorList reads a yum mirrorlist (one URL a line) or a metalink document and
// returns the repository base URLs it names, in order.
func resolveMirrorList(ctx context.Context, o Options, u string) ([]string, error) {
	raw, err := readURL(ctx, o, u, 4<<20)
	if err != nil {
		return nil, fmt.Errorf("reading mirrorlist %s: %w", u, err)
	}
	var out []string
	if bytes.Contains(raw, []byte("<metalink")) {
		var ml struct {
			URLs []struct {
				Protocol string `xml:"protocol,attr"`
				Value    string `xml:",chardata"`
			} `xml:"files>file>resources>url"`
		}
		if err := xml.Unmarshal(raw, &ml); err != nil {
			return nil, fmt.Errorf("parsing metalink %s: %w", u, err)
		}
		for _, x := range ml.URLs {
			v := strings.TrimSpace(x.Value)
			if strings.HasSuffix(v, "repodata/repomd.xml") && (x.Protocol == "http" || x.Protocol == "https") {
				out = append(out, strings.TrimSuffix(v, "repodata/repomd.xml"))
			}
		}
	} else {
		sc := bufio.NewScanner(bytes.NewReader(raw))
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if strings.HasPrefix(line, "http://") || strings.HasPrefix(line, "https://") {
				out = append(out, line)
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("mirrorlist %s names no http(s) mirror", u)
	}
	return out, nil
}
