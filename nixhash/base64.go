package nixhash

import "errors"

// base64Digits maps a byte to its value in the standard base64 alphabet,
// or to 0xff.
var base64Digits = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	for i := range len(alphabet) {
		t[alphabet[i]] = byte(i)
	}
	return t
}()

// decodeBase64 decodes s into dst as Nix's base64Decode does: it stops at
// the first '=' (so padding is optional, and whatever follows it is
// ignored), skips newlines, and refuses any other byte outside the
// alphabet; leftover bits are dropped. It returns the number of bytes
// decoded, or false for a bad byte or a dst too small.
func decodeBase64(dst []byte, s string) (int, bool) {
	n := 0
	var acc, bits uint
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '=' {
			break
		}
		if c == '\n' {
			continue
		}
		d := base64Digits[c]
		if d == 0xff {
			return 0, false
		}
		acc = acc<<6 | uint(d)
		bits += 6
		if bits >= 8 {
			bits -= 8
			if n == len(dst) {
				return 0, false
			}
			dst[n] = byte(acc >> bits)
			n++
		}
	}
	return n, true
}

// ErrBase64 is returned by DecodeBase64 for a byte outside the alphabet.
var ErrBase64 = errors.New("nixhash: invalid character in base64")

// DecodeBase64 decodes base64 as Nix does (its signatures, keys and SRI
// hashes): padding is optional, decoding stops at the first '=' and skips
// newlines.
func DecodeBase64(s string) ([]byte, error) {
	dst := make([]byte, len(s)*3/4+1)
	n, ok := decodeBase64(dst, s)
	if !ok {
		return nil, ErrBase64
	}
	return dst[:n], nil
}
