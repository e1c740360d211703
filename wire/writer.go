package wire

import (
	"encoding/binary"
	"errors"
	"io"
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
type Writer struct {
	dst io.Writer
	buf []byte // len: buffered bytes; cap: buffer size
	off int64  // bytes accepted from the caller
	err error
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
func (w *Writer) Offset() int64 { return w.off }

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

// Uint64 writes a number.
func (w *Writer) Uint64(v uint64) error {
	if err := w.room(8); err != nil {
		return err
	}
	w.buf = binary.LittleEndian.AppendUint64(w.buf, v)
	w.off += 8
	return nil
}

// Bool writes a boolean as 1 or 0.
func (w *Writer) Bool(v bool) error {
	if v {
		return w.Uint64(1)
	}
	return w.Uint64(0)
}

// Bytes writes p as a bytes packet: length, payload, zero padding.
func (w *Writer) Bytes(p []byte) error {
	if err := w.Uint64(uint64(len(p))); err != nil {
		return err
	}
	if _, err := w.Write(p); err != nil {
		return err
	}
	return w.pad(len(p))
}

// String writes s as a bytes packet: length, payload, zero padding.
func (w *Writer) String(s string) error {
	if err := w.Uint64(uint64(len(s))); err != nil {
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
	w.off += int64(pad)
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
			w.off += int64(len(p))
			return written + len(p), nil
		}
		n := min(len(p), cap(w.buf)-len(w.buf))
		w.buf = append(w.buf, p[:n]...)
		w.off += int64(n)
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
		w.off += int64(n)
		written += n
		s = s[n:]
	}
	return written, w.err
}
