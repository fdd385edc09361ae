package profile

import (
	"os"
	"testing"
)

// FuzzNodeFile feeds arbitrary bytes through parsing and evaluation: errors are fine, panics
// are not.
func FuzzNodeFile(f *testing.F) {
	seed, _ := os.ReadFile("testdata/seeds002/extend-base.xml")
	f.Add(seed)
	f.Add([]byte(`<stack:stack><stack:script stack:stage="boot-pre"><stack:file stack:name="/&hostname;">&#65;</stack:file></stack:script></stack:stack>`))
	f.Add([]byte(`<graph><edge from="r"><to cond="x">base</to></edge><order head="HEAD" tail="base"/></graph>`))
	f.Add([]byte(`<kickstart><main><lang>en_US</lang></main><package cond="a in 'b,c'">p</package></kickstart>`))
	s := NewSet()
	f.Fuzz(func(t *testing.T, data []byte) {
		in := siteInput(NodeFile{Path: "extend-base.xml", Data: data})
		s.Build(in) // must not panic
		in.Nodes[0].Path = "graph.xml"
		s.Build(in)
	})
}

// BenchmarkBuild10000 builds a 10,000-host cluster (3 masters, the rest agents) with the
// seeds/002 site file, reusing one Set as the builder does.
func BenchmarkBuild10000(b *testing.B) {
	seed, err := os.ReadFile("testdata/seeds002/extend-base.xml")
	if err != nil {
		b.Fatal(err)
	}
	global := Layer{Scope: ScopeGlobal, Values: map[string]string{"is_mesos_master": "false", "is_mesos_slave": "false", "zookeeper_ip": "10.0.0.1", "mesos_cluster_name": "big"}}
	master := Layer{Scope: ScopeRole, Values: map[string]string{"is_mesos_master": "true"}}
	slave := Layer{Scope: ScopeRole, Values: map[string]string{"is_mesos_slave": "true"}}
	inputs := make([]Input, 10000)
	for i := range inputs {
		in := clusterInput("", "", "slave", "7", Component{"mesos-slave", InstallPackage}, Component{"docker", InstallPackage})
		in.Host = "backend-" + itoa(i/1000) + "-" + itoa(i%1000)
		in.Address = "10.1." + itoa(i/250) + "." + itoa(i%250+1)
		in.Layers = []Layer{global, slave}
		if i < 3 {
			in = clusterInput(masters3[i].Host, masters3[i].Address, "master", "7", masterComps(InstallPackage)...)
			in.Layers = []Layer{global, master}
		}
		in.Nodes = []NodeFile{{Path: "site/extend-base.xml", Data: seed}}
		inputs[i] = in
	}
	b.ReportAllocs()
	for b.Loop() {
		s := NewSet()
		for _, in := range inputs {
			if _, err := s.Build(in); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}
