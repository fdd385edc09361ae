package main

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// run executes the command line in-process and returns its exit code and output.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	t.Setenv("NO_COLOR", "1")
	var stdout, stderr bytes.Buffer
	root := newRootCommand()
	root.SetArgs(args)
	root.SetOut(&stdout)
	root.SetErr(&stderr)
	err := root.ExecuteContext(context.Background())
	code := exitCode(err)
	if err != nil {
		stderr.WriteString(err.Error())
	}
	return code, stdout.String(), stderr.String()
}

func example(name string) string { return filepath.Join("..", "..", "recipes", "examples", name) }

func TestExitCodes(t *testing.T) {
	cases := []struct {
		args []string
		want int
	}{
		{[]string{"validate", example("stacki-mesos.hcl")}, 0},
		{[]string{"validate", example("aws-ha.hcl")}, 0},
		{[]string{"validate", example("indigo-containers.hcl")}, 0},
		{[]string{"plan", "--json", example("aws-ha.hcl")}, 0},
		{[]string{"version"}, 0},
		{[]string{"validate", "../../recipes/testdata/invalid/three-errors.hcl"}, 1},
		{[]string{"validate", "no-such-recipe.hcl"}, 1},
		{[]string{"validate"}, 2},
		{[]string{"plan", "--no-such-flag", example("aws-ha.hcl")}, 2},
		{[]string{"frobnicate"}, 2},
		{[]string{"version", "extra"}, 2},
	}
	for _, c := range cases {
		code, _, stderr := run(t, c.args...)
		if code != c.want {
			t.Errorf("palletizer %s: exit %d, want %d; stderr:\n%s", strings.Join(c.args, " "), code, c.want, stderr)
		}
	}
}

// A new user's recipe with a misspelt role, a duplicate address and a bad image reference gets
// three errors, each with its line and a fix.
func TestThreeErrorsTogether(t *testing.T) {
	code, _, stderr := run(t, "validate", "../../recipes/testdata/invalid/three-errors.hcl")
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	if n := strings.Count(stderr, "Error: "); n != 3 {
		t.Errorf("want 3 errors, got %d:\n%s", n, stderr)
	}
	for _, want := range []string{`did you mean "master"`, "give each host its own address", "write registry/repository:tag", "line 8", "line 11", "line 16"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("output lacks %q:\n%s", want, stderr)
		}
	}
	if regexp.MustCompile("\x1b\\[").MatchString(stderr) {
		t.Error("colour escape codes with NO_COLOR set and no terminal")
	}
}

func TestPlanShowsAttributeOrigins(t *testing.T) {
	code, out, stderr := run(t, "plan", example("stacki-mesos.hcl"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	host := func(name string) string {
		i := strings.Index(out, "  "+name+"  ")
		if i < 0 {
			t.Fatalf("plan lacks host %s:\n%s", name, out)
		}
		rest := out[i+1:]
		if j := strings.Index(rest, "\n  backend-"); j > 0 {
			rest = rest[:j]
		}
		return rest
	}
	if !regexp.MustCompile(`is_mesos_master\s+= true\s+\(host, stacki-mesos.hcl:\d+\)`).MatchString(host("backend-0-0")) {
		t.Errorf("backend-0-0 should have is_mesos_master true from the host:\n%s", host("backend-0-0"))
	}
	if !regexp.MustCompile(`is_mesos_master\s+= false\s+\(global, stacki-mesos.hcl:\d+\)`).MatchString(host("backend-0-3")) {
		t.Errorf("backend-0-3 should have is_mesos_master false from the global scope:\n%s", host("backend-0-3"))
	}
}
