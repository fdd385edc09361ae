package iso

import (
	"errors"
	"os"
)

// implantMD5 is not implemented yet.
func implantMD5(f *os.File) error {
	return errors.New("implanting the media checksum is not implemented yet; leave ImplantMD5 off")
}
