package client

import (
	"errors"
	"fmt"
	"io"

	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/wire"
)

// Codes of the STDERR frames (the tags of messages.Stderr).
const (
	stderrNext          = 0x6f6c6d67
	stderrRead          = 0x64617461
	stderrWrite         = 0x64617416
	stderrLast          = 0x616c7473
	stderrError         = 0x63787470
	stderrStartActivity = 0x53545254
	stderrStopActivity  = 0x53544f50
	stderrResult        = 0x52534c54
)

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
	p := c.info.Proto
	for {
		code, err := c.r.Uint64()
		if err != nil {
			return readErr(err)
		}
		var frame interface {
			wire.Message
			messages.Stderr
		}
		switch code {
		case stderrLast:
			return nil
		case stderrError:
			return c.daemonError(s.op)
		case stderrNext:
			frame = new(messages.StderrNext)
		case stderrRead:
			if err := c.pull(s); err != nil {
				return err
			}
			continue
		case stderrWrite:
			if err := c.push(s); err != nil {
				return err
			}
			continue
		case stderrStartActivity, stderrStopActivity, stderrResult:
			if !p.AtLeast(1, 20) {
				return &ProtocolError{Offset: c.offset(), Msg: fmt.Sprintf("activity frame %#x below protocol 1.20", code)}
			}
			switch code {
			case stderrStartActivity:
				frame = new(messages.StderrStartActivity)
			case stderrStopActivity:
				frame = new(messages.StderrStopActivity)
			default:
				frame = new(messages.StderrResult)
			}
		default:
			return &ProtocolError{Offset: c.offset(), Msg: fmt.Sprintf("unknown STDERR frame code %#x", code)}
		}
		if err := frame.DecodeWire(c.r, p); err != nil {
			return readErr(err)
		}
		if c.logger != nil {
			c.logger(frame)
		}
	}
}

// pull answers a STDERR_READ with up to the requested number of bytes from
// s.in: at least one byte, or none at its end (which the daemon reports as
// an error). An error of s.in is remembered and answered like its end.
func (c *Conn) pull(s *session) error {
	var m messages.StderrRead
	if err := m.DecodeWire(c.r, c.info.Proto); err != nil {
		return readErr(err)
	}
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
func (c *Conn) push(s *session) error {
	var m messages.StderrWrite
	if err := m.DecodeWire(c.r, c.info.Proto); err != nil {
		return readErr(err)
	}
	if s.out != nil && s.outErr == nil {
		if _, err := s.out.Write(m.Data); err != nil {
			s.outErr = err
		}
	}
	return nil
}

// daemonError decodes the STDERR_ERROR frame whose code was just read.
//
// Nix daemons send an error raised before they started work on the op
// twice and then close the connection, in one write: a second frame already
// buffered behind the first is that copy. The returned error has Closed set
// then.
func (c *Conn) daemonError(op string) error {
	de, err := c.readError(op)
	if err != nil {
		return err
	}
	if c.r.Buffered() == 0 {
		return de
	}
	code, err := c.r.Uint64()
	if err != nil {
		return readErr(err)
	}
	if code != stderrError {
		return &ProtocolError{Offset: c.offset(), Msg: fmt.Sprintf("frame %#x after STDERR_ERROR", code)}
	}
	if _, err := c.readError(op); err != nil {
		return err
	}
	de.Closed = true
	return de
}

// readError decodes the body of a STDERR_ERROR frame.
func (c *Conn) readError(op string) (*DaemonError, error) {
	var m messages.StderrError
	if err := m.DecodeWire(c.r, c.info.Proto); err != nil {
		return nil, readErr(err)
	}
	de := &DaemonError{Op: op, Message: m.Message, Level: m.Level, Status: m.Status, Legacy: !c.info.Proto.AtLeast(1, 26)}
	for _, t := range m.Traces {
		de.Traces = append(de.Traces, t.Hint)
	}
	return de, nil
}
