package wire

import (
	"encoding/binary"
	"io"
	"math"
)

// DefaultFrameSize is the chunk size of a FramedWriter made with a
// non-positive size.
const DefaultFrameSize = 32 << 10

// FramedReader reads a framed stream: a sequence of frames, each a u64
// length and that many raw bytes (not padded), ended by a zero length. It
// yields the concatenated frame contents and io.EOF after the terminator,
// reading nothing beyond it.
//
// A frame longer than the limit is an error matching ErrTooLarge; an end of
// input before the terminator is io.ErrUnexpectedEOF. Both are sticky.
// Errors of the underlying reader are returned unchanged and are not sticky.
// After an error, Drain skips to the terminator so that the connection stays
// in sync.
type FramedReader struct {
	src  io.Reader
	max  uint64  // largest frame allowed
	left uint64  // bytes left in the current frame
	hdr  [8]byte // frame length being read
	got  int     // bytes of hdr read so far
	done bool    // terminator seen
	err  error   // sticky error
}

// NewFramedReader returns a reader of the framed stream in r whose frames
// may each be at most maxFrame bytes long.
func NewFramedReader(r io.Reader, maxFrame uint64) *FramedReader {
	return &FramedReader{src: r, max: maxFrame}
}

// Read implements io.Reader over the frames' contents.
func (fr *FramedReader) Read(p []byte) (int, error) {
	if len(p) == 0 && fr.err == nil && !fr.done {
		return 0, nil
	}
	for empty := 0; ; empty++ {
		if fr.err != nil {
			return 0, fr.err
		}
		if empty == maxEmptyReads {
			// A source that keeps returning nothing (and no error)
			// fails, as in Reader.fill and bufio.
			fr.err = io.ErrNoProgress
			return 0, fr.err
		}
		if fr.done {
			return 0, io.EOF
		}
		if fr.left > 0 {
			m := min(uint64(len(p)), fr.left)
			k, err := fr.src.Read(p[:m])
			if k < 0 || uint64(k) > m {
				fr.err = errInvalidRead
				return 0, fr.err
			}
			fr.left -= uint64(k)
			if err == io.EOF {
				fr.err = io.ErrUnexpectedEOF // the terminator is missing, at least
				if k > 0 {
					return k, nil
				}
				return 0, fr.err
			}
			return k, err
		}
		if err := fr.header(); err != nil || fr.got != 0 {
			return 0, err // an error, or a header read that stalled halfway
		}
		// Nothing read at all, or a header: read on (a header's loop
		// turn does not count as empty then, see below).
		if fr.left > 0 || fr.done {
			empty = -1
		}
	}
}

// header reads (part of) the next frame length.
func (fr *FramedReader) header() error {
	for fr.got < 8 {
		k, err := fr.src.Read(fr.hdr[fr.got:])
		if k < 0 || k > 8-fr.got {
			fr.err = errInvalidRead
			return fr.err
		}
		fr.got += k
		if fr.got == 8 {
			break
		}
		if err == io.EOF {
			fr.err = io.ErrUnexpectedEOF
			return fr.err
		}
		if err != nil || k == 0 {
			return err // nil on a stall: the caller returns and is called again
		}
	}
	fr.got = 0
	n := binary.LittleEndian.Uint64(fr.hdr[:])
	switch {
	case n == 0:
		fr.done = true
	case n > fr.max:
		fr.left = n // so that Drain can skip the frame
		fr.err = &LimitError{What: "frame length", N: n, Min: 1, Max: fr.max}
	default:
		fr.left = n
	}
	return fr.err
}

// Drain discards the rest of the stream up to and including the
// terminator, lifting the frame size limit, so that whatever follows the
// stream can be read. It returns nil if the stream is then complete, or the
// error that stopped it (an end of input, or an error of the underlying
// reader).
func (fr *FramedReader) Drain() error {
	if _, ok := fr.err.(*LimitError); ok {
		fr.err = nil
	}
	fr.max = math.MaxUint64
	_, err := io.Copy(io.Discard, onlyReader{fr})
	return err
}

// onlyReader hides every method but Read, so io.Copy uses plain reads.
type onlyReader struct{ io.Reader }

// FramedWriter writes a framed stream: what is written to it goes out in
// frames of a fixed chunk size (the last one shorter); Close writes the
// last frame and the zero-length terminator. Errors of the underlying
// writer are returned unchanged and are sticky.
type FramedWriter struct {
	dst    io.Writer
	buf    []byte // pending data; cap is the chunk size
	hdr    [8]byte
	closed bool
	err    error
}

// NewFramedWriter returns a writer of a framed stream to w with frames of
// at most chunkSize bytes (DefaultFrameSize if chunkSize ≤ 0).
func NewFramedWriter(w io.Writer, chunkSize int) *FramedWriter {
	if chunkSize <= 0 {
		chunkSize = DefaultFrameSize
	}
	return &FramedWriter{dst: w, buf: make([]byte, 0, chunkSize)}
}

// Write implements io.Writer.
func (fw *FramedWriter) Write(p []byte) (int, error) {
	if fw.err != nil {
		return 0, fw.err
	}
	if fw.closed {
		return 0, ErrClosed
	}
	written := 0
	for len(p) > 0 {
		if len(fw.buf) == 0 && len(p) >= cap(fw.buf) { // whole chunks go out uncopied
			if err := fw.frame(p[:cap(fw.buf)]); err != nil {
				return written, err
			}
			written += cap(fw.buf)
			p = p[cap(fw.buf):]
			continue
		}
		k := min(len(p), cap(fw.buf)-len(fw.buf))
		fw.buf = append(fw.buf, p[:k]...)
		written += k
		p = p[k:]
		if len(fw.buf) == cap(fw.buf) {
			if err := fw.Flush(); err != nil {
				return written, err
			}
		}
	}
	return written, nil
}

// Flush writes the buffered data as a frame (nothing if none is buffered).
func (fw *FramedWriter) Flush() error {
	if fw.err != nil {
		return fw.err
	}
	if len(fw.buf) == 0 {
		return nil
	}
	err := fw.frame(fw.buf)
	fw.buf = fw.buf[:0]
	return err
}

func (fw *FramedWriter) frame(p []byte) error {
	binary.LittleEndian.PutUint64(fw.hdr[:], uint64(len(p)))
	if err := writeFull(fw.dst, fw.hdr[:]); err != nil {
		fw.err = err
		return err
	}
	if err := writeFull(fw.dst, p); err != nil {
		fw.err = err
		return err
	}
	return nil
}

// Close writes any buffered data and the terminator. Closing twice is a
// no-op.
func (fw *FramedWriter) Close() error {
	if fw.closed {
		return fw.err
	}
	if err := fw.Flush(); err != nil {
		return err
	}
	fw.closed = true
	binary.LittleEndian.PutUint64(fw.hdr[:], 0)
	if err := writeFull(fw.dst, fw.hdr[:]); err != nil {
		fw.err = err
	}
	return fw.err
}
