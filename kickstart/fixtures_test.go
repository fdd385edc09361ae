package kickstart

// The renderers' tests share hand-built profiles from profile/profiletest.

import "github.com/palletizer/palletizer/profile/profiletest"

const rootHash = profiletest.RootHash

var (
	el7        = profiletest.EL7
	src        = profiletest.Src
	repos      = profiletest.Repos
	native     = profiletest.Native
	master     = profiletest.Master
	slave      = profiletest.Slave
	everything = profiletest.Everything
	ubuntu     = profiletest.Ubuntu
)
