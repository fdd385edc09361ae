package builder

import (
	"fmt"

	"github.com/palletizer/palletizer/cloudinit"
	"github.com/palletizer/palletizer/kickstart"
	"github.com/palletizer/palletizer/profile"
	"github.com/palletizer/palletizer/recipes"
)

// Formats render can produce for one host.
const (
	FormatKickstart   = "kickstart"
	FormatProfile     = "profile"
	FormatCloudConfig = "cloud-config"
	FormatUserData    = "user-data"
)

// Formats lists the render formats.
var Formats = []string{FormatKickstart, FormatProfile, FormatCloudConfig, FormatUserData}

// KickstartOptions are the recipe's kickstart output settings as renderer options.
func KickstartOptions(r *recipes.Recipe) kickstart.Options {
	var o kickstart.Options
	if k := r.Outputs.Kickstart; k != nil {
		o.InstallFrom, o.MirrorURL = k.InstallFrom, k.MirrorURL
	}
	return o
}

// CloudInitOptions are the recipe's cloudinit output settings as renderer options.
func CloudInitOptions(r *recipes.Recipe) cloudinit.Options {
	var o cloudinit.Options
	if c := r.Outputs.CloudInit; c != nil {
		o.Version, o.MirrorURL = c.Version, c.MirrorURL
		switch c.Gzip {
		case "always":
			o.Gzip = cloudinit.GzipAlways
		case "never":
			o.Gzip = cloudinit.GzipNever
		}
	}
	return o
}

// Render renders one host's profile in a format.
func Render(r *recipes.Recipe, p *profile.Profile, format string) ([]byte, error) {
	switch format {
	case FormatKickstart:
		return kickstart.Render(p, KickstartOptions(r))
	case FormatProfile:
		return kickstart.RenderProfileXML(p, KickstartOptions(r))
	case FormatCloudConfig:
		return cloudinit.Render(p, CloudInitOptions(r))
	case FormatUserData:
		ud, err := cloudinit.UserData(p, CloudInitOptions(r))
		return ud.Data, err
	}
	return nil, fmt.Errorf("unknown format %q; formats are kickstart, profile, cloud-config, user-data", format)
}
