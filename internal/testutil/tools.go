// Package testutil holds what the tests of several packages share: the check for the real
// peer tools (dnf, xorriso, skopeo, ...) and golden-file helpers.
package testutil

import (
	"os"
	"os/exec"
	"testing"
)

// RequireTool returns the path of a command the test needs. When it is missing the test is
// skipped on a developer machine, and fails under CI (CI=true), where `make test` must have
// installed it.
func RequireTool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	if os.Getenv("CI") != "" && os.Getenv("CI") != "false" {
		t.Fatalf("%s is not installed; run `make test` (scripts/test-deps.sh installs it)", name)
	}
	t.Skipf("%s is not installed; `make test` installs it", name)
	return ""
}
