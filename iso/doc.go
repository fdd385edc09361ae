// Package iso writes and reads the ISO 9660 images palletizer ships: reproducible Rock Ridge
// images of a staged tree, Stacki pallets, and kickstart-carrying remasters of installer ISOs.
package iso
