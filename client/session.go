package client

import (
	"errors"
	"fmt"
	"io"

	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/wire"
)

// stderrError is the code of a STDERR_ERROR frame, needed where one
// interrupts a NAR (see readNAR); everywhere else frames are decoded with
// messages.DecodeStderr.
const stderrError = 0x63787470

// maxPull bounds the bytes sent in answer to one STDERR_READ.
const maxPull = 64 << 10

// errHungUp reports a daemon that closed the connection where a frame or a
// reply was due.
var errHungUp = fmt.Errorf("the daemon closed the connection: %w", io.ErrUnexpectedEOF)

// session is the state of one STDERR session.
type session struct {
	op     string
	in     io.Reader // answers STDERR_READ; nil: none expected
	out    io.Writer // receives STDERR_WRITE data; nil: discarded
	inErr  error     // error reading in
	outErr error     // error writing out
	buf    []byte
}

// readErr turns an end of input into errHungUp.
func readErr(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errHungUp
	}
	return err
}

// runSession reads STDERR frames up to STDERR_LAST (nil) or STDERR_ERROR
// (a *DaemonError). Any other error leaves the stream out of sync: the
// caller must break the Conn.
func (c *Conn) runSession(s *session) error {
	for {
		frame, err := messages.DecodeStderr(c.r, c.info.Proto)
		if err != nil {
			return c.frameErr(err)
		}
		switch f := frame.(type) {
		case *messages.StderrLast:
			return nil
		case *messages.StderrError:
			return c.daemonError(s.op, f)
		case *messages.StderrRead:
			if err := c.pull(s, f); err != nil {
				return err
			}
		case *messages.StderrWrite:
			c.push(s, f)
		default:
			if c.logger != nil {
				c.logger(frame)
			}
		}
	}
}

// frameErr classifies an error decoding a STDERR frame: the daemon hung up,
// or it sent what the protocol does not allow (an unknown code, an activity
// frame below 1.20, a malformed frame).
func (c *Conn) frameErr(err error) error {
	if err := readErr(err); err == errHungUp {
		return err
	}
	var we *wire.Error
	if errors.As(err, &we) {
		return &ProtocolError{Offset: we.Offset, Msg: "bad STDERR frame: " + we.Err.Error(), Err: err}
	}
	return err // an error of the connection itself
}

// pull answers a STDERR_READ with up to the requested number of bytes from
// s.in: at least one byte, or none at its end (which the daemon reports as
// an error). An error of s.in is remembered and answered like its end.
func (c *Conn) pull(s *session, m *messages.StderrRead) error {
	if s.in == nil {
		return &ProtocolError{Offset: c.offset(), Msg: "the daemon pulls data (STDERR_READ) for an operation that sends none"}
	}
	n := int(min(m.Len, maxPull))
	if cap(s.buf) < n {
		s.buf = make([]byte, n)
	}
	buf := s.buf[:n]
	k := 0
	if s.inErr == nil && n > 0 {
		for k == 0 {
			var err error
			k, err = s.in.Read(buf)
			if k < 0 || k > n {
				k, err = 0, io.ErrNoProgress
			}
			if err != nil {
				if err != io.EOF {
					s.inErr = err
				}
				break
			}
		}
	}
	c.w.Bytes(buf[:k])
	return c.w.Flush()
}

// push hands the data of a STDERR_WRITE to s.out. An error of s.out is
// remembered, and later data discarded, so that the session stays in sync.
func (c *Conn) push(s *session, m *messages.StderrWrite) {
	if s.out != nil && s.outErr == nil {
		if _, err := s.out.Write(m.Data); err != nil {
			s.outErr = err
		}
	}
}

// daemonError turns a STDERR_ERROR frame into a *DaemonError.
//
// Nix daemons send an error raised before they started work on the op
// twice and then close the connection, in one write: a second frame already
// buffered behind the first is that copy. The returned error has Closed set
// then.
func (c *Conn) daemonError(op string, m *messages.StderrError) error {
	de := c.toDaemonError(op, m)
	if c.r.Buffered() == 0 {
		return de
	}
	frame, err := messages.DecodeStderr(c.r, c.info.Proto)
	if err != nil {
		return c.frameErr(err)
	}
	if _, ok := frame.(*messages.StderrError); !ok {
		return &ProtocolError{Offset: c.offset(), Msg: fmt.Sprintf("%T after STDERR_ERROR", frame)}
	}
	de.Closed = true
	return de
}

// readError decodes the body of a STDERR_ERROR frame whose code was read
// already, and returns what daemonError makes of it.
func (c *Conn) readError(op string) error {
	var m messages.StderrError
	if err := m.DecodeWire(c.r, c.info.Proto); err != nil {
		return c.frameErr(err)
	}
	return c.daemonError(op, &m)
}

func (c *Conn) toDaemonError(op string, m *messages.StderrError) *DaemonError {
	de := &DaemonError{Op: op, Message: m.Message, Level: m.Level, Status: m.Status, Legacy: !c.info.Proto.AtLeast(1, 26)}
	for _, t := range m.Traces {
		de.Traces = append(de.Traces, t.Hint)
	}
	return de
}
