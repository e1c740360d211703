package wire

import (
	"encoding/binary"
	"io"
)

// BytesReader streams the payload of one bytes packet from an io.Reader.
//
// It reads exactly the packet and nothing after it. It never hands out the
// final payload bytes before the padding after them has been read and found
// to be zero, so a caller that sees io.EOF knows the packet was whole and
// valid: when the payload length is not a multiple of 8, the last partial
// word of payload and its padding are read together and checked first.
//
// Errors of the underlying reader are returned unchanged and are not sticky:
// after a time-out, reading again continues where it stopped. An end of
// input inside the packet is io.ErrUnexpectedEOF; bad padding is ErrPadding.
// Both are sticky.
type BytesReader struct {
	src  io.Reader
	n    uint64  // payload length
	left uint64  // payload bytes not yet handed out
	tail [8]byte // last partial payload word and its padding
	got  int     // bytes of tail read so far
	err  error   // sticky error
}

// NewBytesReader reads the length of a bytes packet from r, checks it
// against [min, max] before anything else, and returns a reader of the
// payload. A clean end of input before the packet is io.EOF, one inside the
// length io.ErrUnexpectedEOF; other errors of r come back unchanged.
func NewBytesReader(r io.Reader, min, max uint64) (*BytesReader, error) {
	br := &BytesReader{src: r}
	k, err := io.ReadFull(r, br.tail[:])
	if err != nil {
		if err == io.ErrUnexpectedEOF || (err == io.EOF && k > 0) {
			return nil, io.ErrUnexpectedEOF
		}
		return nil, err
	}
	n := binary.LittleEndian.Uint64(br.tail[:])
	if err := checkLen("bytes length", n, min, max); err != nil {
		return nil, err
	}
	br.n, br.left = n, n
	return br, nil
}

// Len returns the number of payload bytes still to come.
func (br *BytesReader) Len() uint64 { return br.left }

// Size returns the payload length declared by the packet.
func (br *BytesReader) Size() uint64 { return br.n }

// tailLen is the number of payload bytes in the final, padded word (0 when
// the payload is a whole number of words and has no padding).
func (br *BytesReader) tailLen() uint64 { return br.n & 7 }

// Read implements io.Reader over the payload.
func (br *BytesReader) Read(p []byte) (int, error) {
	if br.err != nil {
		return 0, br.err
	}
	if br.left == 0 {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	tl := br.tailLen()
	if direct := br.left - min(br.left, tl); direct > 0 && br.got == 0 {
		// Body words: no padding follows them, so they can go straight out.
		m := min(uint64(len(p)), direct)
		k, err := br.src.Read(p[:m])
		if k < 0 || uint64(k) > m {
			br.err = errInvalidRead
			return 0, br.err
		}
		br.left -= uint64(k)
		if br.left == 0 {
			// The packet (with no padding) ended exactly here: whatever
			// error came with its last byte belongs after it.
			return k, nil
		}
		if err == io.EOF {
			br.err = io.ErrUnexpectedEOF
		} else if err != nil {
			return k, err
		}
		return k, br.err
	}
	// The final word: read it whole, payload and padding, check, then serve.
	for br.got < 8 {
		k, err := br.src.Read(br.tail[br.got:])
		if k < 0 || k > 8-br.got {
			br.err = errInvalidRead
			return 0, br.err
		}
		br.got += k
		if br.got == 8 {
			break // whatever error came with the last byte belongs after the packet
		}
		if err == io.EOF {
			br.err = io.ErrUnexpectedEOF
			return 0, br.err
		}
		if err != nil {
			return 0, err
		}
		if k == 0 {
			return 0, nil
		}
	}
	if !isZero(br.tail[tl:]) {
		br.err = ErrPadding
		return 0, br.err
	}
	from := int(tl - br.left)
	k := copy(p, br.tail[from:tl])
	br.left -= uint64(k)
	return k, nil
}

// ReadBytes reads one whole bytes packet from r, checking its length against
// [minLen, maxLen] before reading or allocating anything, and returns the payload.
// It reads exactly the packet. Memory for a large payload is committed no
// faster than the data arrives.
func ReadBytes(r io.Reader, minLen, maxLen uint64) ([]byte, error) {
	if wr, ok := r.(*Reader); ok {
		return wr.Bytes(minLen, maxLen)
	}
	br, err := NewBytesReader(r, minLen, maxLen)
	if err != nil {
		return nil, err
	}
	dst := make([]byte, 0, min(br.n, bigPacketStep))
	for br.left > 0 {
		if len(dst) == cap(dst) {
			dst = growBy(dst, growStep(uint64(len(dst)), br.left))
		}
		k, err := br.Read(dst[len(dst):cap(dst)])
		dst = dst[:len(dst)+k]
		if err != nil {
			return nil, err
		}
	}
	// A payload that is a whole number of words has no tail to check; one
	// that is not was checked by the final Read.
	return dst, nil
}

// WriteBytes writes p to w as one bytes packet, in a single Write call when
// w is not a *Writer.
func WriteBytes(w io.Writer, p []byte) error {
	if ww, ok := w.(*Writer); ok {
		return ww.Bytes(p)
	}
	return writeFull(w, AppendBytes(make([]byte, 0, BytesSize(len(p))), p))
}
