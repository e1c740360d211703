package wire

import (
	"encoding/binary"
	"io"
	"slices"
	"unsafe"
)

// DefaultBufferSize is the buffer size of NewReader and NewWriter.
const DefaultBufferSize = 32 << 10

// minBufferSize is the smallest buffer a Reader or Writer accepts; it must
// hold at least one number plus padding.
const minBufferSize = 64

// bigPacketStep bounds how much memory a Reader commits to a large payload
// before the bytes have actually arrived: a forged length cannot make it
// allocate much more than the data really sent.
const bigPacketStep = 4 << 20

// Reader is a buffered reader of wire values. Reading a number never
// allocates; reading a string allocates the string only.
//
// Errors from the underlying reader are returned unchanged. A value that
// fits in the buffer is consumed only once it has arrived whole, so after an
// error such as a time-out the same call can simply be retried; a larger
// payload is consumed as it arrives.
//
// A Reader reads ahead: once it is in use, read the stream only through it
// (it is itself an io.Reader).
type Reader struct {
	src  io.Reader
	buf  []byte
	r, w int   // buf[r:w] is buffered, unread data
	off  int64 // stream offset of buf[r]
	err  error // error from src, returned once buf[r:w] is used up
	val  int64 // offset at which the last value began
}

// NewReader returns a Reader with a buffer of DefaultBufferSize bytes.
func NewReader(src io.Reader) *Reader { return NewReaderSize(src, DefaultBufferSize) }

// NewReaderSize returns a Reader with a buffer of at least size bytes.
func NewReaderSize(src io.Reader, size int) *Reader {
	size = max(size, minBufferSize)
	return &Reader{src: src, buf: make([]byte, size)}
}

// Reset discards all state and makes r read from src, keeping its buffer.
func (r *Reader) Reset(src io.Reader) {
	*r = Reader{src: src, buf: r.buf}
}

// Offset returns the number of bytes consumed from the stream so far.
func (r *Reader) Offset() int64 { return r.off }

// ValueOffset returns the offset at which the most recent value read with
// Uint64, Bool, Count, Bytes or String began: after an error, the offset of
// the value that failed.
func (r *Reader) ValueOffset() int64 { return r.val }

// Buffered returns the number of bytes read ahead and not yet consumed.
func (r *Reader) Buffered() int { return r.w - r.r }

// need makes at least n (≤ len(r.buf)) bytes available in buf[r.r:r.w].
// It returns the error of the underlying reader, io.EOF included, when they
// cannot be had; the data read so far stays buffered.
func (r *Reader) need(n int) error {
	for r.w-r.r < n {
		if r.err != nil {
			err := r.err
			r.err = nil
			return err
		}
		if r.r == r.w { // empty: read into the whole buffer, not a small tail of it
			r.r, r.w = 0, 0
		} else if len(r.buf)-r.r < n { // slide the unread data to the front
			r.w = copy(r.buf, r.buf[r.r:r.w])
			r.r = 0
		}
		r.fill()
	}
	return nil
}

// maxEmptyReads is how many reads in a row may return no data and no error
// before a source counts as broken (io.ErrNoProgress), as in bufio.
const maxEmptyReads = 100

// fill reads once into the free part of the buffer, retrying reads that
// return nothing a bounded number of times.
func (r *Reader) fill() {
	for range maxEmptyReads {
		n, err := r.src.Read(r.buf[r.w:])
		if n < 0 || n > len(r.buf)-r.w {
			r.err = errInvalidRead
			return
		}
		r.w += n
		if err != nil {
			r.err = err
			return
		}
		if n > 0 {
			return
		}
	}
	r.err = io.ErrNoProgress
}

// start marks the beginning of a value and makes its first n bytes
// available. A clean end of input before the value is io.EOF, one inside it
// io.ErrUnexpectedEOF.
func (r *Reader) start(n int) error {
	r.val = r.off
	if r.w-r.r >= n {
		return nil // the common case, small enough to be inlined
	}
	return r.startSlow(n)
}

// startSlow is start when fewer than n bytes are buffered.
func (r *Reader) startSlow(n int) error {
	if err := r.need(n); err != nil {
		if err == io.EOF {
			return eofOr(r.w - r.r)
		}
		return err
	}
	return nil
}

// more makes n bytes available in the middle of a value: any end of input
// is io.ErrUnexpectedEOF.
func (r *Reader) more(n int) error {
	if err := r.need(n); err != nil {
		return noEOF(err)
	}
	return nil
}

func (r *Reader) consume(n int) {
	r.r += n
	r.off += int64(n)
}

func (r *Reader) peek64(at int) uint64 { return binary.LittleEndian.Uint64(r.buf[r.r+at:]) }

// Uint64 reads a number.
func (r *Reader) Uint64() (uint64, error) {
	if r.w-r.r < 8 {
		if err := r.start(8); err != nil {
			return 0, err
		}
	} else {
		r.val = r.off
	}
	v := r.peek64(0)
	r.consume(8)
	return v, nil
}

// Uint reads a number that must not exceed max (ErrRange otherwise); the
// number is not consumed when it is out of range.
func (r *Reader) Uint(max uint64) (uint64, error) {
	if err := r.start(8); err != nil {
		return 0, err
	}
	v := r.peek64(0)
	if v > max {
		return 0, &LimitError{What: "value", N: v, Max: max}
	}
	r.consume(8)
	return v, nil
}

// Bool reads a boolean: 0 or 1, anything else is ErrBool (and is not
// consumed).
func (r *Reader) Bool() (bool, error) {
	if err := r.start(8); err != nil {
		return false, err
	}
	v := r.peek64(0)
	if v > 1 {
		return false, ErrBool
	}
	r.consume(8)
	return v == 1, nil
}

// Count reads a list, set or map count that must lie in [min, max] (and not
// exceed math.MaxInt); a count out of range is not consumed.
func (r *Reader) Count(min, max uint64) (int, error) {
	if err := r.start(8); err != nil {
		return 0, err
	}
	n := r.peek64(0)
	if err := checkLen("count", n, min, countMax(max)); err != nil {
		return 0, err
	}
	r.consume(8)
	return int(n), nil
}

// Bytes reads a bytes packet whose length must lie in [min, max] into a
// new slice. The length is checked before any payload is read; a length out
// of range is not consumed. An empty payload is returned as a non-nil,
// empty slice.
func (r *Reader) Bytes(min, max uint64) ([]byte, error) {
	return r.AppendBytes(make([]byte, 0), min, max)
}

// AppendBytes is Bytes appending the payload to dst, so that a caller can
// reuse a buffer.
func (r *Reader) AppendBytes(dst []byte, min, max uint64) ([]byte, error) {
	r.val = r.off
	if p, ok := r.bufferedPacket(min, max); ok {
		return append(dst, p...), nil
	}
	n, err := r.packetLen("bytes length", min, max)
	if err != nil {
		return dst, err
	}
	if p, ok, err := r.smallPacket(n); ok || err != nil {
		if err != nil {
			return dst, err
		}
		return append(dst, p...), nil
	}
	return r.bigPacket(dst, n)
}

// String reads a bytes packet whose length must lie in [min, max] as a
// string, with exactly one allocation for a non-empty string.
func (r *Reader) String(min, max uint64) (string, error) {
	r.val = r.off
	if p, ok := r.bufferedPacket(min, max); ok {
		return string(p), nil
	}
	return r.stringSlow(min, max)
}

// bufferedPacket is the fast path of String and AppendBytes: it consumes a
// packet that is wholly buffered, whose length lies in [min, max] and whose
// padding is zero, and returns its payload (aliasing the buffer). For
// anything else it consumes nothing and returns false, and the slow path
// reads the packet or reports what is wrong with it.
func (r *Reader) bufferedPacket(min, max uint64) ([]byte, bool) {
	b := r.buf[r.r:r.w]
	if len(b) < 8 {
		return nil, false
	}
	n := binary.LittleEndian.Uint64(b)
	if n < min || n > max || n > uint64(len(b)-8) {
		return nil, false
	}
	end := 8 + int(n)
	total := end + PaddingLen(n)
	if total > len(b) || !zeroPadding(b[:total], total-end) {
		return nil, false
	}
	r.consume(total)
	return b[8:end:end], true
}

// zeroPadding reports whether the last pad (< 8) bytes of the packet p are
// zero, with one load of p's last word when p holds one.
func zeroPadding(p []byte, pad int) bool {
	if pad == 0 {
		return true
	}
	if len(p) >= 8 {
		return binary.LittleEndian.Uint64(p[len(p)-8:])>>(64-8*pad) == 0
	}
	return isZero(p[len(p)-pad:])
}

// stringSlow is String for a packet that is not wholly buffered, or is
// wrong.
func (r *Reader) stringSlow(min, max uint64) (string, error) {
	n, err := r.packetLen("string length", min, max)
	if err != nil {
		return "", err
	}
	if p, ok, err := r.smallPacket(n); ok || err != nil {
		return string(p), err
	}
	p, err := r.bigPacket(nil, n)
	if err != nil || len(p) == 0 {
		return "", err
	}
	return unsafe.String(&p[0], len(p)), nil // p is ours and never written again
}

// packetLen reads and checks a packet's length without consuming it.
func (r *Reader) packetLen(what string, min, max uint64) (uint64, error) {
	if err := r.start(8); err != nil {
		return 0, err
	}
	n := r.peek64(0)
	return n, checkLen(what, n, min, max)
}

// smallPacket consumes a packet of payload length n whose length word is
// buffered, if the whole packet fits in the buffer; the payload it returns
// aliases the buffer and is valid until the next read. ok is false when the
// packet is too big for the buffer (nothing is consumed then).
func (r *Reader) smallPacket(n uint64) (p []byte, ok bool, err error) {
	if n > uint64(len(r.buf)-16) {
		return nil, false, nil
	}
	end := 8 + int(n)
	total := end + PaddingLen(n)
	if err := r.more(total); err != nil {
		return nil, false, err
	}
	if !isZero(r.buf[r.r+end : r.r+total]) {
		return nil, false, ErrPadding
	}
	p = r.buf[r.r+8 : r.r+end]
	r.consume(total)
	return p, true, nil
}

// bigPacket consumes the length word and then streams n payload bytes into
// dst, growing it no faster than the data arrives, then the padding.
func (r *Reader) bigPacket(dst []byte, n uint64) ([]byte, error) {
	r.consume(8)
	for left := n; left > 0; {
		if len(dst) == cap(dst) {
			dst = growBy(dst, growStep(uint64(len(dst)), left))
		}
		m := min(uint64(cap(dst)-len(dst)), left)
		k, err := io.ReadFull(r, dst[len(dst):len(dst)+int(m)])
		dst = dst[:len(dst)+k]
		left -= uint64(k)
		if err != nil {
			return dst, noEOF(err)
		}
	}
	return dst, r.padding(PaddingLen(n))
}

// growStep is how much to add to a buffer holding have bytes of a payload
// of which left bytes are still to come: a quadrupling, so that a large
// payload is copied little more than once while memory is still committed
// only in proportion to the data that has really arrived.
func growStep(have, left uint64) uint64 {
	return min(left, max(3*have, bigPacketStep))
}

func growBy(b []byte, n uint64) []byte {
	return slices.Grow(b[:cap(b)], int(n))[:len(b)]
}

// padding consumes pad bytes of padding, which must be zero.
func (r *Reader) padding(pad int) error {
	if err := r.more(pad); err != nil {
		return err
	}
	if !isZero(r.buf[r.r : r.r+pad]) {
		return ErrPadding
	}
	r.consume(pad)
	return nil
}

// Read implements io.Reader over the raw stream, serving buffered data
// first. Use it for data that follows a message outside the framing of
// values, such as a NAR.
func (r *Reader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if r.r == r.w {
		if r.err != nil {
			err := r.err
			r.err = nil
			return 0, err
		}
		if len(p) >= len(r.buf) { // large read: skip the copy
			n, err := r.src.Read(p)
			if n < 0 || n > len(p) {
				return 0, errInvalidRead
			}
			r.off += int64(n)
			return n, err
		}
		r.r, r.w = 0, 0
		r.fill()
		if r.r == r.w {
			err := r.err
			r.err = nil
			return 0, err
		}
	}
	n := copy(p, r.buf[r.r:r.w])
	r.consume(n)
	return n, nil
}

// noEOF turns an end of input inside a value into io.ErrUnexpectedEOF.
func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
