package imagestest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/palletizer/palletizer/internal/testutil"
)

// DockerRegistry is a running distribution registry (Debian's docker-registry, 2.8) with
// filesystem storage, listening on plain HTTP on 127.0.0.1.
type DockerRegistry struct {
	// Host is "127.0.0.1:PORT".
	Host string
	// Dir holds the config, the storage root and the registry's log.
	Dir  string
	cmd  *exec.Cmd
	done chan error
}

const registryConfig = `version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: %s
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: %s
`

// StartDockerRegistry runs `docker-registry serve` with its storage under dir and waits until
// it answers /v2/. The free port is found by binding :0 and releasing it; another process can
// take it in between, so a start that fails is tried again on a new port, a few times.
func StartDockerRegistry(ctx context.Context, dir string) (*DockerRegistry, error) {
	bin, err := exec.LookPath("docker-registry")
	if err != nil {
		return nil, fmt.Errorf("docker-registry is not installed (Debian package docker-registry): %w", err)
	}
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		r, err := startOnce(ctx, bin, dir)
		if err == nil {
			return r, nil
		}
		lastErr = err
	}
	return nil, lastErr
}

func startOnce(ctx context.Context, bin, dir string) (*DockerRegistry, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	storage := filepath.Join(dir, "storage")
	if err := os.MkdirAll(storage, 0o755); err != nil {
		return nil, err
	}
	cfg := filepath.Join(dir, "config.yml")
	if err := os.WriteFile(cfg, fmt.Appendf(nil, registryConfig, storage, addr), 0o644); err != nil {
		return nil, err
	}
	logf, err := os.Create(filepath.Join(dir, "registry.log"))
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	cmd := exec.Command(bin, "serve", cfg)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting docker-registry: %w", err)
	}
	r := &DockerRegistry{Host: addr, Dir: dir, cmd: cmd, done: make(chan error, 1)}
	go func() { r.done <- cmd.Wait() }()
	if err := r.wait(ctx); err != nil {
		_ = r.Stop()
		return nil, err
	}
	return r, nil
}

// wait polls /v2/ for at most ten seconds.
func (r *DockerRegistry) wait(ctx context.Context) error {
	client := &http.Client{Timeout: time.Second}
	for i := 0; i < 100; i++ {
		select {
		case err := <-r.done:
			r.done <- err
			return fmt.Errorf("docker-registry on %s exited: %v; %s", r.Host, err, r.logTail())
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		resp, err := client.Get("http://" + r.Host + "/v2/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("docker-registry on %s did not answer /v2/ within 10s; %s", r.Host, r.logTail())
}

func (r *DockerRegistry) logTail() string {
	b, _ := os.ReadFile(filepath.Join(r.Dir, "registry.log"))
	s := strings.TrimSpace(string(b))
	if len(s) > 2000 {
		s = s[len(s)-2000:]
	}
	return "log: " + s
}

// Stop terminates the registry and waits for it (killing it after five seconds).
func (r *DockerRegistry) Stop() error {
	if r.cmd.Process == nil {
		return nil
	}
	_ = r.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-r.done:
		r.done <- err
	case <-time.After(5 * time.Second):
		_ = r.cmd.Process.Kill()
		err := <-r.done
		r.done <- err
	}
	return nil
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// StartDockerRegistryT starts a real registry for a test, in a temp dir, stopped at cleanup.
// It skips the test when docker-registry is missing (fails under CI).
func StartDockerRegistryT(t testing.TB) *DockerRegistry {
	t.Helper()
	testutil.RequireTool(t, "docker-registry")
	r, err := StartDockerRegistry(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := r.Stop(); err != nil && !errors.Is(err, os.ErrProcessDone) {
			t.Log(err)
		}
	})
	return r
}
