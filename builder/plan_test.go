package builder

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/palletizer/palletizer/internal/testutil"
	"github.com/palletizer/palletizer/profile"
	"github.com/palletizer/palletizer/recipes"
)

func loadExample(t *testing.T, name string) *recipes.Recipe {
	t.Helper()
	r, diags := Load(filepath.Join("..", "recipes", "examples", name+".hcl"), recipes.Options{Environ: []string{}})
	if len(diags) > 0 {
		t.Fatalf("%s: %s", name, diags.Error())
	}
	return r
}

var examples = []string{"stacki-mesos", "aws-ha", "indigo-containers"}

func TestPlanGolden(t *testing.T) {
	for _, name := range examples {
		t.Run(name, func(t *testing.T) {
			p, diags := MakePlan(loadExample(t, name))
			if diags.HasErrors() {
				t.Fatal(diags.Error())
			}
			b, err := json.MarshalIndent(p, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			testutil.Golden(t, filepath.Join("testdata", "plan", name+".json"), append(b, '\n'))
		})
	}
}

func TestPlanAttributeOrigins(t *testing.T) {
	p, _ := MakePlan(loadExample(t, "stacki-mesos"))
	get := func(host, attr string) PlanAttr {
		for _, h := range p.Hosts {
			if h.Name != host {
				continue
			}
			for _, a := range h.Attributes {
				if a.Name == attr {
					return a
				}
			}
		}
		t.Fatalf("%s has no attribute %s", host, attr)
		return PlanAttr{}
	}
	cases := []struct {
		host, attr, value, scope string
	}{
		{"backend-0-0", "is_mesos_master", "true", "host"},
		{"backend-0-3", "is_mesos_master", "false", "global"},
		{"backend-0-3", "is_mesos_slave", "true", "host"},
		{"backend-0-0", "hostaddr", "10.1.255.254", "intrinsic"},
		{"backend-0-2", "rank", "2", "intrinsic"},
	}
	for _, c := range cases {
		a := get(c.host, c.attr)
		if a.Value != c.value || string(a.Scope) != c.scope {
			t.Errorf("%s %s = %q (%s), want %q (%s)", c.host, c.attr, a.Value, a.Scope, c.value, c.scope)
		}
		if c.scope != "intrinsic" && !strings.HasPrefix(a.Where, "stacki-mesos.hcl:") {
			t.Errorf("%s %s: where = %q, want a recipe position", c.host, c.attr, a.Where)
		}
	}
}

func TestPlanQuorum(t *testing.T) {
	p, _ := MakePlan(loadExample(t, "aws-ha"))
	if p.Cluster.Quorum != 2 || len(p.Cluster.Masters) != 3 || len(p.Cluster.Zookeeper) != 3 {
		t.Errorf("aws-ha: masters %v zookeeper %v quorum %d; want 3, 3, 2", p.Cluster.Masters, p.Cluster.Zookeeper, p.Cluster.Quorum)
	}
}

func profilesOf(t *testing.T, r *recipes.Recipe) *Profiles {
	t.Helper()
	p, err := NewProfiles(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func mustHost(t *testing.T, profiles *Profiles, host string) *profile.Profile {
	t.Helper()
	p, err := profiles.Host(host)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
