package wire

import (
	"encoding/binary"
	"errors"
	"io"
	"unsafe"
)

var (
	errInvalidRead  = errors.New("wire: underlying reader returned an invalid count")
	errInvalidWrite = errors.New("wire: underlying writer returned an invalid count")
)

// writeFull writes all of p to w, looping over short writes. A writer that
// accepts nothing without an error gets io.ErrShortWrite.
func writeFull(w io.Writer, p []byte) error {
	for len(p) > 0 {
		n, err := w.Write(p)
		if n < 0 || n > len(p) {
			return errInvalidWrite
		}
		p = p[n:]
		if err != nil {
			return err
		}
		if n == 0 {
			return io.ErrShortWrite
		}
	}
	return nil
}

// Writer is a buffered writer of wire values. Writing never allocates.
// Errors are sticky, as with bufio.Writer: after the first error every call
// returns it, so a sequence of writes can be checked once, at Flush or Err.
//
// Uint64, Bool, String and Bytes have a fast path small enough to be
// inlined into the caller (a value that fits in the free part of the buffer
// is stored with one capacity check and no call); the rest of the work is in
// outlined slow paths.
type Writer struct {
	dst  io.Writer
	buf  []byte // len: buffered bytes; cap: buffer size
	done int64  // bytes accepted from the caller before buf (handed to dst)
	err  error
}

// NewWriter returns a Writer with a buffer of DefaultBufferSize bytes.
func NewWriter(dst io.Writer) *Writer { return NewWriterSize(dst, DefaultBufferSize) }

// NewWriterSize returns a Writer with a buffer of at least size bytes.
func NewWriterSize(dst io.Writer, size int) *Writer {
	return &Writer{dst: dst, buf: make([]byte, 0, max(size, minBufferSize))}
}

// Reset discards buffered data and any error and makes w write to dst,
// keeping its buffer.
func (w *Writer) Reset(dst io.Writer) {
	*w = Writer{dst: dst, buf: w.buf[:0]}
}

// Offset returns the number of bytes written to w so far (buffered or not).
func (w *Writer) Offset() int64 { return w.done + int64(len(w.buf)) }

// Buffered returns the number of bytes not yet handed to the underlying writer.
func (w *Writer) Buffered() int { return len(w.buf) }

// Err returns the first error that occurred, if any.
func (w *Writer) Err() error { return w.err }

// Flush hands all buffered data to the underlying writer.
func (w *Writer) Flush() error {
	if w.err != nil {
		return w.err
	}
	if len(w.buf) > 0 {
		if err := writeFull(w.dst, w.buf); err != nil {
			w.err = err
			return err
		}
		w.done += int64(len(w.buf))
		w.buf = w.buf[:0]
	}
	return nil
}

// room makes n (≤ cap) bytes of space in the buffer.
func (w *Writer) room(n int) error {
	if cap(w.buf)-len(w.buf) < n {
		return w.Flush()
	}
	return w.err
}

// Abort takes back a value whose encoding failed part-way, so that the
// stream never carries half a value: the bytes written since mark (an
// Offset taken before the value began) are dropped if they are all still
// buffered. If some of them were handed to the destination already, the
// stream is out of step for good, and w fails from then on with an error
// matching ErrPartial and cause. Abort returns cause; a w that had failed
// before is left as it is. Generated EncodeWire methods call it.
func (w *Writer) Abort(mark int64, cause error) error {
	switch {
	case w.err != nil || mark > w.Offset():
	case mark >= w.done:
		w.buf = w.buf[:mark-w.done]
	default:
		w.err = &partialError{cause}
	}
	return cause
}

// Reserve returns the free part of w's buffer as an empty slice with room
// for at least n bytes, flushing the buffered data first if there is less.
// ok is false, and nothing is flushed, when n exceeds the size of the
// buffer or an error is pending. A caller appends at most n bytes to the
// slice and hands the result to Commit, so that a value whose size is
// known is encoded by straight-line appends into w's buffer, with no call
// per value: generated code encodes a message that fits in the buffer this
// way (Reserve(m.WireSize(p)), AppendWire, Commit).
func (w *Writer) Reserve(n int) (b []byte, ok bool) {
	if b := w.buf; n <= cap(b)-len(b) && w.err == nil {
		return b[len(b):], true
	}
	return w.reserveSlow(n)
}

// reserveSlow is Reserve when the buffer must be flushed first, or cannot
// serve.
func (w *Writer) reserveSlow(n int) ([]byte, bool) {
	if n > cap(w.buf) || w.Flush() != nil {
		return nil, false
	}
	return w.buf[len(w.buf):], true
}

// Commit adds to the buffered data the bytes appended to a slice returned
// by Reserve. A slice that does not start there or outgrew the buffer
// (it was reallocated by append) is copied in as by Write instead, so that
// a wrong size can cost speed but never corrupt the stream.
func (w *Writer) Commit(b []byte) {
	if n := len(w.buf); len(b) <= cap(w.buf)-n && unsafe.SliceData(b) == unsafe.SliceData(w.buf[n:]) {
		w.buf = w.buf[:n+len(b)]
		return
	}
	w.commitSlow(b)
}

// commitSlow is Commit for a slice that is not in the free part of the
// buffer.
func (w *Writer) commitSlow(b []byte) {
	if len(b) > 0 {
		w.Write(b)
	}
}

// Uint64 writes a number.
func (w *Writer) Uint64(v uint64) error {
	if n := len(w.buf); cap(w.buf)-n >= 8 && w.err == nil {
		w.buf = w.buf[:n+8]
		binary.LittleEndian.PutUint64(w.buf[n:], v)
		return nil
	}
	return w.uint64Slow(v)
}

// uint64Slow is Uint64 when the buffer is full or an error is pending.
func (w *Writer) uint64Slow(v uint64) error {
	if err := w.room(8); err != nil {
		return err
	}
	w.buf = binary.LittleEndian.AppendUint64(w.buf, v)
	return nil
}

// Bool writes a boolean as 1 or 0.
func (w *Writer) Bool(v bool) error {
	var u uint64
	if v {
		u = 1
	}
	return w.Uint64(u)
}

// Bytes writes p as a bytes packet: length, payload, zero padding.
func (w *Writer) Bytes(p []byte) error {
	if n := len(w.buf); len(p) <= cap(w.buf)-n-16 && w.err == nil {
		w.buf = w.buf[:n+putPacketHead(w.buf[n:cap(w.buf)], len(p))]
		copy(w.buf[n+8:], p)
		return nil
	}
	return w.bytesSlow(p)
}

// String writes s as a bytes packet: length, payload, zero padding.
func (w *Writer) String(s string) error {
	if n := len(w.buf); len(s) <= cap(w.buf)-n-16 && w.err == nil {
		w.buf = w.buf[:n+putPacketHead(w.buf[n:cap(w.buf)], len(s))]
		copy(w.buf[n+8:], s)
		return nil
	}
	return w.stringSlow(s)
}

// putPacketHead lays out a packet of an m-byte payload at the front of b,
// which has room for it: the length word and the zero padding (by zeroing
// the last word of the packet, which the payload then overwrites but for
// the padding). It returns the size of the packet.
func putPacketHead(b []byte, m int) int {
	total := BytesSize(m)
	binary.LittleEndian.PutUint64(b[total-8:], 0)
	binary.LittleEndian.PutUint64(b, uint64(m))
	return total
}

// bytesSlow is Bytes for a packet that does not fit in the free part of
// the buffer, or when an error is pending.
func (w *Writer) bytesSlow(p []byte) error {
	if err := w.uint64Slow(uint64(len(p))); err != nil {
		return err
	}
	if _, err := w.Write(p); err != nil {
		return err
	}
	return w.pad(len(p))
}

// stringSlow is String for a packet that does not fit in the free part of
// the buffer, or when an error is pending.
func (w *Writer) stringSlow(s string) error {
	if err := w.uint64Slow(uint64(len(s))); err != nil {
		return err
	}
	if _, err := w.WriteString(s); err != nil {
		return err
	}
	return w.pad(len(s))
}

func (w *Writer) pad(n int) error {
	pad := PaddingLen(uint64(n))
	if err := w.room(pad); err != nil {
		return err
	}
	w.buf = append(w.buf, zeros[:pad]...)
	return nil
}

// Write implements io.Writer: it writes p as raw bytes, with no length or
// padding. Use it for data that follows a message outside the framing of
// values.
func (w *Writer) Write(p []byte) (int, error) {
	written := 0
	for len(p) > 0 {
		if w.err != nil {
			return written, w.err
		}
		if len(w.buf) == 0 && len(p) >= cap(w.buf) { // large write: skip the copy
			if err := writeFull(w.dst, p); err != nil {
				w.err = err
				return written, err
			}
			w.done += int64(len(p))
			return written + len(p), nil
		}
		n := min(len(p), cap(w.buf)-len(w.buf))
		w.buf = append(w.buf, p[:n]...)
		written += n
		p = p[n:]
		if len(p) > 0 {
			w.Flush()
		}
	}
	return written, nil
}

// WriteString is Write for a string, without converting it to []byte.
func (w *Writer) WriteString(s string) (int, error) {
	written := 0
	for len(s) > 0 {
		if err := w.room(1); err != nil {
			return written, err
		}
		n := min(len(s), cap(w.buf)-len(w.buf))
		w.buf = append(w.buf, s[:n]...)
		written += n
		s = s[n:]
	}
	return written, w.err
}
