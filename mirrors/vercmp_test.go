package mirrors

import "testing"

// The cases of rpm's own test suite (tests/rpmvercmp.at), which dnf and yum rely on.
func TestVercmpRPMTable(t *testing.T) {
	cases := []struct {
		a, b string
		want int
	}{
		{"1.0", "1.0", 0}, {"1.0", "2.0", -1}, {"2.0", "1.0", 1},
		{"2.0.1", "2.0.1", 0}, {"2.0", "2.0.1", -1}, {"2.0.1", "2.0", 1},
		{"2.0.1a", "2.0.1a", 0}, {"2.0.1a", "2.0.1", 1}, {"2.0.1", "2.0.1a", -1},
		{"5.5p1", "5.5p1", 0}, {"5.5p1", "5.5p2", -1}, {"5.5p2", "5.5p1", 1},
		{"5.5p10", "5.5p10", 0}, {"5.5p1", "5.5p10", -1}, {"5.5p10", "5.5p1", 1},
		{"10xyz", "10.1xyz", -1}, {"10.1xyz", "10xyz", 1},
		{"xyz10", "xyz10", 0}, {"xyz10", "xyz10.1", -1}, {"xyz10.1", "xyz10", 1},
		{"xyz.4", "xyz.4", 0}, {"xyz.4", "8", -1}, {"8", "xyz.4", 1},
		{"xyz.4", "2", -1}, {"2", "xyz.4", 1},
		{"5.5p2", "5.6p1", -1}, {"5.6p1", "5.5p2", 1},
		{"5.6p1", "6.5p1", -1}, {"6.5p1", "5.6p1", 1},
		{"6.0.rc1", "6.0", 1}, {"6.0", "6.0.rc1", -1},
		{"10b2", "10a1", 1}, {"10a2", "10b2", -1},
		{"1.0aa", "1.0aa", 0}, {"1.0a", "1.0aa", -1}, {"1.0aa", "1.0a", 1},
		{"10.0001", "10.0001", 0}, {"10.0001", "10.1", 0}, {"10.1", "10.0001", 0},
		{"10.0001", "10.0039", -1}, {"10.0039", "10.0001", 1},
		{"4.999.9", "5.0", -1}, {"5.0", "4.999.9", 1},
		{"20101121", "20101121", 0}, {"20101121", "20101122", -1}, {"20101122", "20101121", 1},
		{"2_0", "2_0", 0}, {"2.0", "2_0", 0}, {"2_0", "2.0", 0},
		{"a", "a", 0}, {"a+", "a+", 0}, {"a+", "a_", 0}, {"a_", "a+", 0},
		{"+a", "+a", 0}, {"+a", "_a", 0}, {"_a", "+a", 0},
		{"+_", "+_", 0}, {"_+", "+_", 0}, {"_+", "_+", 0}, {"+", "_", 0}, {"_", "+", 0},
		{"1.0~rc1", "1.0~rc1", 0}, {"1.0~rc1", "1.0", -1}, {"1.0", "1.0~rc1", 1},
		{"1.0~rc1", "1.0~rc2", -1}, {"1.0~rc2", "1.0~rc1", 1},
		{"1.0~rc1~git123", "1.0~rc1~git123", 0}, {"1.0~rc1~git123", "1.0~rc1", -1}, {"1.0~rc1", "1.0~rc1~git123", 1},
		{"1.0^", "1.0^", 0}, {"1.0^", "1.0", 1}, {"1.0", "1.0^", -1},
		{"1.0^git1", "1.0^git1", 0}, {"1.0^git1", "1.0", 1}, {"1.0", "1.0^git1", -1},
		{"1.0^git1", "1.0^git2", -1}, {"1.0^git2", "1.0^git1", 1},
		{"1.0^git1", "1.01", -1}, {"1.01", "1.0^git1", 1},
		{"1.0^20160101", "1.0^20160101", 0}, {"1.0^20160101", "1.0.1", -1}, {"1.0.1", "1.0^20160101", 1},
		{"1.0^20160101^git1", "1.0^20160101^git1", 0}, {"1.0^20160102", "1.0^20160101^git1", 1},
		{"1.0^20160101^git1", "1.0^20160102", -1},
		{"1.0~rc1^git1", "1.0~rc1^git1", 0}, {"1.0~rc1^git1", "1.0~rc1", 1}, {"1.0~rc1", "1.0~rc1^git1", -1},
		{"1.0^git1~pre", "1.0^git1~pre", 0}, {"1.0^git1", "1.0^git1~pre", 1}, {"1.0^git1~pre", "1.0^git1", -1},
	}
	for _, c := range cases {
		if got := Vercmp(c.a, c.b); got != c.want {
			t.Errorf("Vercmp(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

func TestEVRCompare(t *testing.T) {
	cases := []struct {
		a, b string
		want int
	}{
		{"3:19.03.15-3.el7", "2:21.0.0-1.el7", 1}, // epoch beats version
		{"0:1.0-1", "1.0-1", 0},                   // missing epoch is 0
		{"1.0-2", "1.0-10", -1},
		{"1.0", "1.0-5", 0}, // a requirement without release matches any release
		{"1:1.0-1", "1.0-1", 1},
	}
	for _, c := range cases {
		if got := ParseEVR(c.a).Compare(ParseEVR(c.b)); got != c.want {
			t.Errorf("Compare(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

func TestRangesOverlap(t *testing.T) {
	dep := func(name, flags, evr string) Dep { return Dep{Name: name, Flags: flags, EVR: ParseEVR(evr)} }
	cases := []struct {
		prov, req Dep
		want      bool
	}{
		{dep("mesos", "EQ", "0:1.4.0-2.0.1"), dep("mesos", "GE", "1.3.0"), true},
		{dep("mesos", "EQ", "0:1.2.0-1"), dep("mesos", "GE", "1.3.0"), false},
		{dep("mesos", "", ""), dep("mesos", "GE", "9"), true},
		{dep("mesos", "EQ", "1.4.0-1"), dep("mesos", "", ""), true},
		{dep("z", "EQ", "3.4.5-1.cdh"), dep("z", "EQ", "3.4.5-1.cdh"), true},
		{dep("z", "EQ", "3.4.5-1.cdh"), dep("z", "EQ", "3.4.5-2.cdh"), false},
		{dep("z", "EQ", "3.4.5-1"), dep("z", "LT", "3.4.5"), false},
		{dep("z", "EQ", "3.4.5-1"), dep("z", "LE", "3.4.5"), true},
		{dep("z", "GE", "2"), dep("z", "LT", "3"), true},
	}
	for _, c := range cases {
		if got := rangesOverlap(c.prov, c.req); got != c.want {
			t.Errorf("rangesOverlap(%v, %v) = %v, want %v", c.prov, c.req, got, c.want)
		}
	}
}
