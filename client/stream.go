package client

import (
	"errors"
	"fmt"
	"io"

	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/nar"
	"github.com/nixwire/nixwire/wire"
)

// frameSize is the size of the frames of request streams.
const frameSize = 32 << 10

// errStopped stops a sender whose op the daemon has already answered.
var errStopped = errors.New("the daemon answered before all the data was sent")

// sender sends the data that follows a request (a framed stream, or one
// raw NAR), on the write loop, while the read loop reads the STDERR
// session. Its source is read only through read, which starts no Read
// once the sender is told to stop: after its call has returned, the
// caller's reader is never read again (a Read already blocked then is
// abandoned; its result is discarded).
type sender struct {
	kind   wire.StreamKind
	in     io.Reader
	gate   readGate      // closed when the session has ended or the call returned
	sent   chan struct{} // closed when the sender has finished
	err    error         // why sending failed; set before sent is closed
	source bool          // err comes from the data's reader (or is an invalid NAR)
	early  bool          // the session ended before all data was sent
}

// newSender returns a sender of in as a stream of kind (framed or raw).
func newSender(kind wire.StreamKind, in io.Reader) *sender {
	return &sender{kind: kind, in: in, sent: make(chan struct{})}
}

// run sends the data to w and flushes it.
func (s *sender) run(w *wire.Writer) {
	defer close(s.sent)
	if s.kind == wire.FramedStream {
		s.framed(w)
	} else {
		s.raw(w)
	}
	if s.err == nil {
		s.err = w.Flush()
	}
}

// Read reads from the source unless the sender must stop.
func (s *sender) Read(p []byte) (int, error) {
	if !s.gate.enter() {
		return 0, errStopped
	}
	n, err := s.in.Read(p)
	s.gate.leave()
	if n < 0 || n > len(p) {
		n, err = 0, io.ErrNoProgress
	}
	return n, err
}

// framed copies the source to w as a framed stream, stopping early (but
// still ending the stream, as Nix does) once the session is over.
func (s *sender) framed(w *wire.Writer) {
	fw := wire.NewFramedWriter(w, frameSize)
	buf := make([]byte, frameSize)
	for {
		n, err := s.Read(buf)
		if n > 0 {
			if _, werr := fw.Write(buf[:n]); werr != nil {
				s.err = werr
				return
			}
		}
		if err == io.EOF {
			break
		}
		if err == errStopped {
			s.early = true
			break
		}
		if err != nil {
			s.err, s.source = err, true
			return
		}
	}
	s.err = fw.Close()
}

// raw copies exactly one NAR from the source to w, checking it.
func (s *sender) raw(w *wire.Writer) {
	_, err := nar.Copy(stopWriter{w: w, s: s}, s)
	var ne *nar.Error
	switch {
	case err == nil:
	case errors.Is(err, errStopped):
		s.early = true
		s.err = errStopped
	case errors.As(err, &ne):
		s.err, s.source = err, true
	default:
		s.err = err
	}
}

// stopWriter fails once the sender is told to stop.
type stopWriter struct {
	w *wire.Writer
	s *sender
}

// Write writes p to the connection, unless the sender must stop.
func (sw stopWriter) Write(p []byte) (int, error) {
	if sw.s.gate.stopped() {
		return 0, errStopped
	}
	return sw.w.Write(p)
}

// readNAR copies the NAR that follows the reply of cl to cl.out. A
// failure of out does not stop the copy, so that the stream stays in
// sync: it is returned at the end (cl.outErr). A daemon that fails while
// sending the NAR (NarFromPath of a path missing on disk) puts a
// STDERR_ERROR where the next NAR token is due; that error ends the read
// loop as a *DaemonError with Closed set (errNAR).
func (c *Conn) readNAR(cl *call) error {
	sink := &stickyWriter{w: cl.out}
	src := &tailReader{r: c.r}
	_, err := nar.Copy(sink, src)
	if sink.err != nil && cl.outErr == nil {
		cl.outErr = sink.err
	}
	if err == nil {
		return nil
	}
	if errors.Is(err, nar.ErrInvalid) && src.tail() == stderrError {
		var m messages.StderrError
		c.br.Limit("STDERR frame", c.limits.MaxFrame)
		if derr := m.DecodeWire(c.r, c.info.Proto); derr != nil {
			return decodeErr("STDERR_ERROR inside the NAR", derr)
		}
		de := c.toDaemonError(cl.name, &m)
		de.Closed = true
		return &errNAR{de}
	}
	return fmt.Errorf("reading the NAR: %w", readErr(err))
}

// errNAR carries the error a daemon sent inside a NAR.
type errNAR struct{ de *DaemonError }

func (e *errNAR) Error() string { return e.de.Error() }

// stickyWriter writes to w until w fails, then discards.
type stickyWriter struct {
	w   io.Writer
	err error
}

// Write writes p to w, or discards it once w has failed; it never fails.
func (s *stickyWriter) Write(p []byte) (int, error) {
	if s.err == nil {
		if _, err := s.w.Write(p); err != nil {
			s.err = err
		}
	}
	return len(p), nil
}

// tailReader remembers the last 8 bytes read through it.
type tailReader struct {
	r    io.Reader
	last [8]byte
}

// Read reads from r, remembering the last 8 bytes.
func (t *tailReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if n > 0 && n <= len(p) {
		if n >= 8 {
			copy(t.last[:], p[n-8:n])
		} else {
			copy(t.last[:], t.last[n:])
			copy(t.last[8-n:], p[:n])
		}
	}
	return n, err
}

// tail returns the last 8 bytes read as a little-endian number.
func (t *tailReader) tail() uint64 {
	var v uint64
	for i := 7; i >= 0; i-- {
		v = v<<8 | uint64(t.last[i])
	}
	return v
}
