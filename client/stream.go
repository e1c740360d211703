package client

import (
	"errors"
	"fmt"
	"io"
	"sync/atomic"

	"github.com/nixwire/nixwire/nar"
	"github.com/nixwire/nixwire/wire"
)

// frameSize is the size of the frames of request streams.
const frameSize = 32 << 10

// errStopped stops a sender whose op the daemon has already answered.
var errStopped = errors.New("the daemon answered before all the data was sent")

// sender writes the data of a request stream to the connection on its own
// goroutine while the STDERR session is read.
type sender struct {
	stop   atomic.Bool   // set when the session has ended
	done   chan struct{} // closed when the goroutine has returned
	err    error         // why sending failed; set before done is closed
	source bool          // err comes from the data's reader (or is an invalid NAR)
	early  bool          // the session ended before all data was sent
}

// startSender starts sending in as a stream of kind (framed or raw).
func (c *Conn) startSender(op string, kind wire.StreamKind, in io.Reader) *sender {
	s := &sender{done: make(chan struct{})}
	go func() {
		defer close(s.done)
		if kind == wire.FramedStream {
			s.framed(c.w, in)
		} else {
			s.raw(c.w, in)
		}
		if s.err == nil {
			s.err = c.w.Flush()
		}
		if s.source {
			// Close the connection rather than end the stream: the daemon
			// must not take the data as complete.
			c.fail(op, fmt.Errorf("reading the data to send: %w", s.err))
		}
	}()
	return s
}

// framed copies in to w as a framed stream, stopping early (but still
// ending the stream, as Nix does) once the session is over.
func (s *sender) framed(w *wire.Writer, in io.Reader) {
	fw := wire.NewFramedWriter(w, frameSize)
	buf := make([]byte, frameSize)
	for {
		if s.stop.Load() {
			s.early = true
			break
		}
		n, err := in.Read(buf)
		if n < 0 || n > len(buf) {
			n, err = 0, io.ErrNoProgress
		}
		if n > 0 {
			if _, werr := fw.Write(buf[:n]); werr != nil {
				s.err = werr
				return
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			s.err, s.source = err, true
			return
		}
	}
	s.err = fw.Close()
}

// raw copies exactly one NAR from in to w, checking it.
func (s *sender) raw(w *wire.Writer, in io.Reader) {
	_, err := nar.Copy(stopWriter{w: w, s: s}, in)
	var ne *nar.Error
	switch {
	case err == nil:
	case errors.As(err, &ne):
		s.err, s.source = err, true
	case err == errStopped:
		s.early = true
		s.err = err
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
	if sw.s.stop.Load() {
		return 0, errStopped
	}
	return sw.w.Write(p)
}

// finish tells the sender that the session is over and waits for it. It
// returns why the stream could not be sent whole, or nil.
func (s *sender) finish() error {
	s.stop.Store(true)
	<-s.done
	if s.early && s.err == nil {
		s.err = errStopped
	}
	return s.err
}

// senderFailed reports a request stream that was not sent whole: the
// daemon has not consumed what it expected, so the Conn cannot be used
// again. A *DaemonError from the session is returned as such.
func (c *Conn) senderFailed(op string, sendErr, sessionErr error) error {
	if de, ok := sessionErr.(*DaemonError); ok {
		de.Closed = true
		c.fail(op, de)
		return de
	}
	return c.fail(op, sendErr)
}

// readNAR copies the NAR that follows a reply to out. A failure of out
// does not stop the copy, so that the stream stays in sync: it is returned
// at the end. A daemon that fails while sending the NAR (NarFromPath of a
// path missing on disk) puts a STDERR_ERROR where the next NAR token is
// due; that error is returned as a *DaemonError, and the Conn is closed.
func (c *Conn) readNAR(op string, out io.Writer) error {
	sink := &stickyWriter{w: out}
	src := &tailReader{r: c.r}
	if _, err := nar.Copy(sink, src); err != nil {
		if errors.Is(err, nar.ErrInvalid) && src.tail() == stderrError {
			de, ok := c.readError(op).(*DaemonError)
			if !ok {
				return c.fail(op, errors.New("malformed STDERR_ERROR inside the NAR"))
			}
			de.Closed = true
			c.fail(op, de)
			return de
		}
		return c.fail(op, fmt.Errorf("reading the NAR: %w", err))
	}
	if sink.err != nil {
		return fmt.Errorf("client: %s: writing the NAR: %w", op, sink.err)
	}
	return nil
}

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
