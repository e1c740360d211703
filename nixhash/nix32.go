package nixhash

import "slices"

// nix32Alphabet is Nix's base-32 alphabet: digits and lower-case letters
// without e, o, u and t (to avoid words and confusion).
const nix32Alphabet = "0123456789abcdfghijklmnpqrsvwxyz"

// nix32Index maps a byte to its digit value, or 0xff.
var nix32Index = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	for i := 0; i < len(nix32Alphabet); i++ {
		t[nix32Alphabet[i]] = byte(i)
	}
	return t
}()

// Nix32EncodedLen returns the length of the nix32 encoding of n bytes
// (52 for SHA-256, 32 for a store path digest).
func Nix32EncodedLen(n int) int {
	if n <= 0 {
		return 0
	}
	return (n*8-1)/5 + 1
}

// Nix32DecodedLen returns the number of bytes whose nix32 encoding is n
// characters long, or -1 if no byte count encodes to n characters.
func Nix32DecodedLen(n int) int {
	if n <= 0 {
		return -1
	}
	b := n * 5 / 8
	if Nix32EncodedLen(b) != n {
		return -1
	}
	return b
}

// EncodeNix32 writes the nix32 encoding of src to dst, which must be
// Nix32EncodedLen(len(src)) bytes long, and returns it. Nix reads src as a
// little-endian bit string and writes its 5-bit groups from the last to the
// first, so the text reads the number most significant digit first.
func EncodeNix32(dst, src []byte) []byte {
	n := Nix32EncodedLen(len(src))
	dst = dst[:n]
	var acc uint // bits of src not yet written, least significant first
	bits, j := 0, 0
	for i := n - 1; i >= 0; i-- {
		if bits < 5 && j < len(src) {
			acc |= uint(src[j]) << bits
			bits += 8
			j++
		}
		dst[i] = nix32Alphabet[acc&0x1f]
		acc >>= 5
		bits -= 5
	}
	return dst
}

// AppendNix32 appends the nix32 encoding of src to dst.
func AppendNix32(dst, src []byte) []byte {
	n := Nix32EncodedLen(len(src))
	l := len(dst)
	dst = grow(dst, n)
	EncodeNix32(dst[l:l+n], src)
	return dst
}

// DecodeNix32 decodes the nix32 text src into dst, which must be exactly
// Nix32DecodedLen(len(src)) bytes long. Like Nix it refuses characters
// outside the alphabet and set bits beyond the last byte, so that every
// digest has one encoding. It does not allocate, and returns false on
// invalid input (dst then holds garbage).
func DecodeNix32(dst []byte, src string) bool {
	if Nix32DecodedLen(len(src)) != len(dst) {
		return false
	}
	var acc uint // decoded bits not yet stored, least significant first
	bits, j := 0, 0
	for i := len(src) - 1; i >= 0; i-- {
		d := nix32Index[src[i]]
		if d == 0xff {
			return false
		}
		acc |= uint(d) << bits
		bits += 5
		if bits >= 8 && j < len(dst) {
			dst[j] = byte(acc)
			acc >>= 8
			bits -= 8
			j++
		}
	}
	if j < len(dst) {
		dst[j] = byte(acc)
		acc >>= 8
		j++
	}
	return j == len(dst) && acc == 0
}

// grow extends dst by n bytes.
func grow(dst []byte, n int) []byte { return slices.Grow(dst, n)[:len(dst)+n] }
