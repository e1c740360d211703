package wire

import (
	"encoding/binary"
	"io"
	"unsafe"
)

// PaddingLen returns the number of zero bytes that follow a payload of n
// bytes: the distance to the next multiple of 8. It cannot overflow:
// PaddingLen(math.MaxUint64) is 1.
func PaddingLen(n uint64) int { return int(-n & 7) }

// BytesSize returns the encoded size of a bytes packet with an n-byte
// payload: the length word, the payload and the padding (8 plus n rounded
// up to a multiple of 8; n is the length of something in memory, so it
// cannot come near overflowing).
func BytesSize(n int) int { return (n + 15) &^ 7 }

// zeros is the padding source; padding is never longer than 7 bytes.
var zeros [8]byte

// AppendUint64 appends v as a little-endian u64.
func AppendUint64(b []byte, v uint64) []byte { return binary.LittleEndian.AppendUint64(b, v) }

// AppendBool appends v as the number 1 or 0.
func AppendBool(b []byte, v bool) []byte {
	if v {
		return AppendUint64(b, 1)
	}
	return AppendUint64(b, 0)
}

// AppendBytes appends p as a bytes packet: length, payload, zero padding.
func AppendBytes(b []byte, p []byte) []byte {
	b = AppendUint64(b, uint64(len(p)))
	b = append(b, p...)
	return append(b, zeros[:PaddingLen(uint64(len(p)))]...)
}

// AppendString appends s as a bytes packet: length, payload, zero padding.
func AppendString(b []byte, s string) []byte {
	b = AppendUint64(b, uint64(len(s)))
	b = append(b, s...)
	return append(b, zeros[:PaddingLen(uint64(len(s)))]...)
}

// ConsumeUint64 reads a u64 from the front of b and returns it with the
// rest of b. It returns io.EOF if b is empty and io.ErrUnexpectedEOF if b
// holds fewer than 8 bytes.
func ConsumeUint64(b []byte) (uint64, []byte, error) {
	if len(b) < 8 {
		return 0, b, eofOr(len(b))
	}
	return binary.LittleEndian.Uint64(b), b[8:], nil
}

// ConsumeUint reads a u64 that must not exceed max (a *LimitError matching
// ErrRange otherwise), as Nix's readNum<T> does for narrower types.
func ConsumeUint(b []byte, max uint64) (uint64, []byte, error) {
	v, rest, err := ConsumeUint64(b)
	if err == nil && v > max {
		return 0, b, &LimitError{What: "value", N: v, Max: max}
	}
	return v, rest, err
}

// ConsumeBool reads a boolean; any number other than 0 and 1 is ErrBool.
func ConsumeBool(b []byte) (bool, []byte, error) {
	v, rest, err := ConsumeUint64(b)
	if err != nil {
		return false, b, err
	}
	if v > 1 {
		return false, b, ErrBool
	}
	return v == 1, rest, nil
}

// countMax lowers a count limit to math.MaxInt: counts are returned as
// int, so a larger one must be refused whatever max the caller allows.
func countMax(max uint64) uint64 {
	if maxInt := uint64(^uint(0) >> 1); max > maxInt {
		return maxInt
	}
	return max
}

// ConsumeCount reads a list, set or map count that must lie in [min, max]
// (and not exceed math.MaxInt). It also fails with io.ErrUnexpectedEOF when
// b cannot hold count elements of at least elemSize bytes each, so that a
// caller may allocate count elements without trusting the input.
func ConsumeCount(b []byte, min, max uint64, elemSize int) (int, []byte, error) {
	n, rest, err := ConsumeUint64(b)
	if err != nil {
		return 0, b, err
	}
	if err := checkLen("count", n, min, countMax(max)); err != nil {
		return 0, b, err
	}
	if elemSize > 0 && n > uint64(len(rest)/elemSize) {
		return 0, b, io.ErrUnexpectedEOF
	}
	return int(n), rest, nil
}

// ConsumeBytes reads a bytes packet whose length must lie in [min, max]
// and returns its payload, which aliases b (with its capacity cut, so an
// append to it cannot overwrite b), and the rest of b. The length is checked
// before anything else; the padding must be zero.
func ConsumeBytes(b []byte, min, max uint64) ([]byte, []byte, error) {
	return consumePacket(b, "bytes length", min, max)
}

// ConsumeString is ConsumeBytes returning a copy of the payload as a string.
func ConsumeString(b []byte, min, max uint64) (string, []byte, error) {
	p, rest, err := consumePacket(b, "string length", min, max)
	if err != nil {
		return "", b, err
	}
	return string(p), rest, nil
}

// ConsumeStringAlias is ConsumeString without the copy: the string shares
// memory with b, which must therefore never be modified afterwards. Use it
// only where the input outlives every use of the result.
func ConsumeStringAlias(b []byte, min, max uint64) (string, []byte, error) {
	p, rest, err := consumePacket(b, "string length", min, max)
	if err != nil || len(p) == 0 {
		return "", rest, err
	}
	return unsafe.String(&p[0], len(p)), rest, nil
}

func consumePacket(b []byte, what string, min, max uint64) ([]byte, []byte, error) {
	n, rest, err := ConsumeUint64(b)
	if err != nil {
		return nil, b, err
	}
	if err := checkLen(what, n, min, max); err != nil {
		return nil, b, err
	}
	pad := PaddingLen(n)
	if n > uint64(len(rest)) || uint64(len(rest))-n < uint64(pad) {
		return nil, b, io.ErrUnexpectedEOF
	}
	end := int(n)
	if !zeroPadding(rest[:end+pad], pad) {
		return nil, b, ErrPadding
	}
	return rest[:end:end], rest[end+pad:], nil
}

func isZero(p []byte) bool {
	for _, c := range p {
		if c != 0 {
			return false
		}
	}
	return true
}

// eofOr returns io.EOF when no byte of a value was available and
// io.ErrUnexpectedEOF when some were.
func eofOr(have int) error {
	if have == 0 {
		return io.EOF
	}
	return io.ErrUnexpectedEOF
}
