// Command demo is what `make demo` runs: it builds a small sample upstream (RPM repositories
// shaped like Mesosphere's, Cloudera's and Docker's), serves it on loopback and runs palletizer
// against the stock recipes, offline.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/palletizer/palletizer/images/imagestest"
	"github.com/palletizer/palletizer/iso/isotest"
	"github.com/palletizer/palletizer/mirrors/mirrortest"
)

func main() {
	bin := flag.String("palletizer", "bin/palletizer", "the palletizer binary to run")
	work := flag.String("work", ".demo", "where the sample upstream is generated")
	out := flag.String("out", "out", "where palletizer writes its outputs (one directory per recipe)")
	flag.Parse()
	if err := run(*bin, *work, *out); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

func run(bin, work, out string) error {
	upstream := filepath.Join(work, "upstream")
	key, err := mirrortest.NewKey("palletizer demo upstream")
	if err != nil {
		return err
	}
	keyPath := filepath.Join(work, "RPM-GPG-KEY-demo")
	if err := os.MkdirAll(work, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(keyPath, key.PublicKey(), 0o644); err != nil {
		return err
	}
	repos := map[string]mirrortest.Repository{
		"mesosphere/el/6/x86_64":           mirrortest.Mesosphere(),
		"mesosphere/el/7/x86_64":           mirrortest.Mesosphere(),
		"cdh/4/x86_64":                     mirrortest.CDH(),
		"docker-ce/centos/7/x86_64/stable": mirrortest.DockerCE(),
	}
	base := filepath.Join(work, "base-installer.iso")
	if err := isotest.WriteBaseInstaller(base); err != nil {
		return fmt.Errorf("writing the sample base installer ISO: %w", err)
	}
	fmt.Println("== generating the sample upstream in", upstream)
	for dir, repo := range repos {
		repo.Key = key
		repo.Time = 1700000000
		if err := repo.Write(filepath.Join(upstream, dir)); err != nil {
			return fmt.Errorf("writing sample repository %s: %w", dir, err)
		}
	}
	// The recipes' default upstream is 127.0.0.1:18080: serving there keeps every output
	// byte-identical between demo runs. Another port is taken only when that one is busy.
	ln, err := net.Listen("tcp", "127.0.0.1:18080")
	if err != nil {
		if ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			return err
		}
	}
	srv := &http.Server{Handler: http.FileServer(http.Dir(upstream)), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Shutdown(context.Background())
	url := "http://" + ln.Addr().String()
	fmt.Println("== serving it at", url)

	// The component images come from a registry on the recipes' default source_registry
	// address, holding test images under the INDIGO names; the site registry is another.
	source, err := serveRegistry("127.0.0.1:15000")
	if err != nil {
		return err
	}
	defer source.Shutdown(context.Background())
	if _, err := imagestest.PushIndigo(context.Background(), "127.0.0.1:15000", 1, 1<<20, 256<<10); err != nil {
		return err
	}
	site, err := serveRegistry("127.0.0.1:15001")
	if err != nil {
		return err
	}
	defer site.Shutdown(context.Background())

	for _, name := range []string{"stacki-mesos", "aws-ha", "indigo-containers"} {
		recipe := filepath.Join("recipes", "examples", name+".hcl")
		args := []string{"build", recipe, "--out", filepath.Join(out, name), "--store", filepath.Join(work, "store"),
			"--var", "upstream=" + url, "--var", "repo_key=" + mustAbs(keyPath)}
		if name == "stacki-mesos" {
			args = append(args, "--var", "base_iso="+mustAbs(base))
		}
		fmt.Println("\n== palletizer", args)
		cmd := exec.Command(bin, args...)
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		cmd.Env = append(os.Environ(), "SOURCE_DATE_EPOCH=1700000000")
		if err := cmd.Run(); err != nil {
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				return fmt.Errorf("palletizer build %s exited %d", recipe, ee.ExitCode())
			}
			return err
		}
	}
	pallets, _ := filepath.Glob(filepath.Join(out, "*", "pallets", "*.iso"))
	for _, p := range pallets {
		if err := palletizer(bin, "inspect", p); err != nil {
			return err
		}
	}
	return palletizer(bin, "push", "recipes/examples/indigo-containers.hcl", "--from", filepath.Join(out, "indigo-containers", "images"),
		"--registry", "127.0.0.1:15001", "--on-existing", "skip")
}

func palletizer(bin string, args ...string) error {
	fmt.Println("\n== palletizer", args)
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	return cmd.Run()
}

// serveRegistry serves an in-memory registry on a fixed loopback address.
func serveRegistry(addr string) (*http.Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("the demo registry needs %s free: %w", addr, err)
	}
	srv := &http.Server{Handler: imagestest.RegistryHandler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return srv, nil
}

func mustAbs(p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	return a
}
