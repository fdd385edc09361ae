package recipes

import (
	"fmt"

	"github.com/agext/levenshtein"
)

// suggestion returns ` (did you mean "x"?)` for the closest candidate, or "" when none is close.
func suggestion(name string, candidates []string) string {
	best, bestDist := "", 0
	for _, c := range candidates {
		d := levenshtein.Distance(name, c, nil)
		if best == "" || d < bestDist {
			best, bestDist = c, d
		}
	}
	if best == "" || bestDist > 3 || bestDist > len(name)/2+1 {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}
