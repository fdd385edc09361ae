package imagestest

import (
	"context"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Component is one INDIGO-DataCloud style component image (repository names and tags as in
// shared/reference/mesos.md; "latest" where the reference names no tag).
type Component struct {
	Name       string   // short name, e.g. "mesos-master"
	Repository string   // e.g. "indigodatacloud/mesos-master"
	Tags       []string // every tag pushed; each tag is a different image
	Platforms  []string // more than one: pushed as a multi-arch index
	Env        []string
}

// Indigo lists the cluster's component images.
var Indigo = []Component{
	{Name: "chronos", Repository: "indigodatacloud/chronos", Tags: []string{"3.0.2"},
		Platforms: []string{"linux/amd64"}, Env: []string{"CHRONOS_HTTP_PORT=4400", "CHRONOS_ZK_PATH=/chronos/state"}},
	{Name: "keepalived", Repository: "indigodatacloud/keepalived", Tags: []string{"latest"},
		Platforms: []string{"linux/amd64"}, Env: []string{"KEEPALIVED_PRIORITY=100"}},
	{Name: "marathon", Repository: "indigodatacloud/marathon", Tags: []string{"1.4.1", "1.5.6"},
		Platforms: []string{"linux/amd64", "linux/arm64/v8"}, Env: []string{"MARATHON_HTTP_PORT=8080"}},
	{Name: "marathon-lb", Repository: "indigodatacloud/marathon-lb", Tags: []string{"latest"},
		Platforms: []string{"linux/amd64"}},
	{Name: "mesos-master", Repository: "indigodatacloud/mesos-master", Tags: []string{"1.1.0", "1.5.0"},
		Platforms: []string{"linux/amd64", "linux/arm64/v8"}, Env: []string{"MESOS_OFFER_TIMEOUT=30secs"}},
	{Name: "mesos-slave", Repository: "indigodatacloud/mesos-slave", Tags: []string{"1.1.0", "1.5.0"},
		Platforms: []string{"linux/amd64", "linux/arm64/v8"}, Env: []string{"MESOS_CONTAINERIZERS=docker,mesos"}},
	{Name: "zookeeper", Repository: "indigodatacloud/zookeeper", Tags: []string{"latest"},
		Platforms: []string{"linux/amd64"}, Env: []string{"MYID=1"}},
}

// Pushed is one tag pushed by PushIndigo.
type Pushed struct {
	Component Component
	Ref       string // "127.0.0.1:PORT/indigodatacloud/mesos-master:1.5.0"
	Digest    string // of the image, or of the index for multi-arch components
}

// Artifact is an image or an index, as remote.Push takes it.
type Artifact = remote.Taggable

// Build makes the artifact of one component tag: every image shares a base layer of baseSize
// bytes (like a common distribution base) and has one own layer of layerSize bytes. The same
// seed gives the same digests.
func Build(c Component, tag string, seed uint64, baseSize, layerSize int64) (Artifact, error) {
	base, err := Layer(seed, baseSize)
	if err != nil {
		return nil, err
	}
	spec := ImageSpec{
		Seed:       seed + uint64(fnv(c.Repository+":"+tag)),
		LayerSizes: []int64{layerSize},
		Base:       []v1.Layer{base},
		Env:        c.Env,
		Cmd:        []string{"/usr/local/bin/" + c.Name},
	}
	if len(c.Platforms) > 1 {
		return Index(spec, c.Platforms...)
	}
	if len(c.Platforms) == 1 {
		p, err := v1.ParsePlatform(c.Platforms[0])
		if err != nil {
			return nil, err
		}
		spec.Platform = p
	}
	return Image(spec)
}

// PushIndigo pushes every tag of every Indigo component to the registry at host (plain HTTP on
// loopback) and returns what it pushed, in the order of Indigo.
func PushIndigo(ctx context.Context, host string, seed uint64, baseSize, layerSize int64) ([]Pushed, error) {
	var out []Pushed
	for _, c := range Indigo {
		for _, tag := range c.Tags {
			ref, err := name.NewTag(host+"/"+c.Repository+":"+tag, name.Insecure)
			if err != nil {
				return nil, err
			}
			a, err := Build(c, tag, seed, baseSize, layerSize)
			if err != nil {
				return nil, err
			}
			if err := remote.Push(ref, a, remote.WithContext(ctx)); err != nil {
				return nil, fmt.Errorf("pushing fixture %s: %w", ref, err)
			}
			d, err := a.(interface{ Digest() (v1.Hash, error) }).Digest()
			if err != nil {
				return nil, err
			}
			out = append(out, Pushed{Component: c, Ref: ref.String(), Digest: d.String()})
		}
	}
	return out, nil
}

// fnv is FNV-1a, to derive a per-tag seed from a name.
func fnv(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}
