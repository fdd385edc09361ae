package iso

import (
	"encoding/binary"
	"io"
)

// rrInfo is what Rock Ridge says about one record: its name, POSIX mode and link target.
type rrInfo struct {
	name    string
	mode    uint32
	hasMode bool
	target  string
}

// readRR collects the NM, PX and SL entries of a record (RRIP 1.12 sections 4.1.1-4.1.4).
func readRR(r io.ReaderAt, rec dirRecord, skip int) (rrInfo, error) {
	entries, err := readSUSP(r, rec, skip)
	if err != nil {
		return rrInfo{}, err
	}
	var info rrInfo
	var name, target []byte
	for _, e := range entries {
		switch e.sig {
		case "NM":
			if len(e.data) >= 5 && e.data[4]&0x06 == 0 { // not "." or ".."
				name = append(name, e.data[5:]...)
			}
		case "PX":
			if len(e.data) >= 12 {
				info.mode = binary.LittleEndian.Uint32(e.data[4:8])
				info.hasMode = true
			}
		case "SL":
			if len(e.data) < 5 {
				continue
			}
			target = appendSLComponents(target, e.data[5:])
		}
	}
	info.name = string(name)
	info.target = string(target)
	return info, nil
}

// appendSLComponents decodes SL component records into a slash-separated target.
func appendSLComponents(dst, comps []byte) []byte {
	for i := 0; i+2 <= len(comps); {
		flags, n := comps[i], int(comps[i+1])
		if i+2+n > len(comps) {
			break
		}
		part := comps[i+2 : i+2+n]
		sep := len(dst) > 0 && dst[len(dst)-1] != '/'
		switch {
		case flags&0x02 != 0:
			part = []byte(".")
		case flags&0x04 != 0:
			part = []byte("..")
		case flags&0x08 != 0:
			part, sep = []byte("/"), false
		}
		if sep {
			dst = append(dst, '/')
		}
		dst = append(dst, part...)
		i += 2 + n
	}
	return dst
}

// recordName is a record's Rock Ridge name, else its ISO 9660 identifier without ";1".
func recordName(rec dirRecord, rr rrInfo) string {
	if rr.name != "" {
		return rr.name
	}
	id := string(rec.ident)
	for i := len(id) - 1; i >= 0; i-- {
		if id[i] == ';' {
			id = id[:i]
			break
		}
	}
	if len(id) > 1 && id[len(id)-1] == '.' {
		id = id[:len(id)-1]
	}
	return id
}
