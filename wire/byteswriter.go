package wire

import (
	"encoding/binary"
	"io"
)

// BytesWriter streams one bytes packet of a declared payload length to an
// io.Writer: the length first (on the first Write or at Close), then the
// payload as it comes, then, at Close, exactly the padding.
//
// A Write that would go past the declared length fails whole, writing
// nothing; Close before the declared length has been written fails with
// ErrIncomplete. Errors of the underlying writer are returned unchanged and
// are sticky, since the packet is then broken anyway; a writer that accepts
// zero bytes without an error gets io.ErrShortWrite.
type BytesWriter struct {
	dst     io.Writer
	n       uint64 // declared payload length
	written uint64 // payload bytes written
	started bool   // length word written
	closed  bool
	err     error
	hdr     [8]byte
}

// NewBytesWriter returns a writer of one packet with an n-byte payload.
// Nothing is written before the first Write or Close.
func NewBytesWriter(w io.Writer, n uint64) *BytesWriter {
	return &BytesWriter{dst: w, n: n}
}

// Len returns the number of payload bytes still expected.
func (bw *BytesWriter) Len() uint64 { return bw.n - bw.written }

func (bw *BytesWriter) header() error {
	if bw.started {
		return nil
	}
	binary.LittleEndian.PutUint64(bw.hdr[:], bw.n)
	if err := writeFull(bw.dst, bw.hdr[:]); err != nil {
		bw.err = err
		return err
	}
	bw.started = true
	return nil
}

// Write implements io.Writer over the payload.
func (bw *BytesWriter) Write(p []byte) (int, error) {
	if bw.err != nil {
		return 0, bw.err
	}
	if bw.closed {
		return 0, ErrClosed
	}
	if uint64(len(p)) > bw.n-bw.written {
		return 0, ErrWriteTooLong
	}
	if err := bw.header(); err != nil {
		return 0, err
	}
	if len(p) == 0 {
		return 0, nil
	}
	// Loop over short writes ourselves so that the count stays exact.
	total := 0
	for total < len(p) {
		k, err := bw.dst.Write(p[total:])
		if k < 0 || k > len(p)-total {
			bw.err = errInvalidWrite
			return total, bw.err
		}
		total += k
		bw.written += uint64(k)
		if err != nil {
			bw.err = err
			return total, err
		}
		if k == 0 {
			bw.err = io.ErrShortWrite
			return total, bw.err
		}
	}
	return total, nil
}

// Close writes the length (if no Write has) and the padding. It fails with
// ErrIncomplete, writing no padding, if fewer than the declared bytes were
// written. Closing twice is a no-op.
func (bw *BytesWriter) Close() error {
	if bw.closed {
		return bw.err
	}
	if bw.err != nil {
		return bw.err
	}
	if bw.written < bw.n {
		return ErrIncomplete
	}
	if err := bw.header(); err != nil {
		return err
	}
	if err := writeFull(bw.dst, zeros[:PaddingLen(bw.n)]); err != nil {
		bw.err = err
		return err
	}
	bw.closed = true
	return nil
}
