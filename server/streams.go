package server

import (
	"errors"
	"fmt"
	"io"

	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/nar"
	"github.com/nixwire/nixwire/wire"
)

// maxFrame bounds one frame of a framed upload. Nix's FramedSink writes
// frames of at most 32 KiB; other clients may write larger ones, never
// anywhere near this.
const maxFrame = 64 << 20

// maxPull is the most a pulled upload (STDERR_READ) asks for at once.
const maxPull = 64 << 10

// upload is the data that follows a request, as the handler reads it.
type upload interface {
	io.Reader
	// finish reads what the handler left, so that the connection stays
	// in sync; it fails when it cannot.
	finish() error
	// abandon gives the data up as the connection ends, unread.
	abandon()
}

// framedUpload is the request stream of an op whose data follows in a
// framed stream. finish reads it to its terminator, whatever the handler
// read, so that the connection stays in sync — except past a frame above
// maxFrame: skipping a forged 2^40-byte frame would hold the connection
// (and the client's slot) for as long as the client pleases, so the
// connection is given up instead.
type framedUpload struct {
	fr       *wire.FramedReader
	tooLarge error
}

func newFramedUpload(r io.Reader) *framedUpload {
	return &framedUpload{fr: wire.NewFramedReader(r, maxFrame)}
}

func (u *framedUpload) Read(p []byte) (int, error) {
	n, err := u.fr.Read(p)
	if errors.Is(err, wire.ErrTooLarge) {
		u.tooLarge = err
	}
	return n, err
}

// abandon does nothing: the frames are read by the handler's own reads.
func (u *framedUpload) abandon() {}

func (u *framedUpload) finish() error {
	if u.tooLarge != nil {
		return u.tooLarge
	}
	// A frame above the limit may first show up here.
	var buf [8 << 10]byte
	for {
		_, err := u.Read(buf[:])
		switch {
		case err == io.EOF:
			return nil
		case err != nil:
			return err
		}
	}
}

// pullUpload is the request stream of an op whose data the server pulls
// with STDERR_READ (AddToStoreNar at 1.21 and 1.22): every Read asks the
// client for up to len(p) bytes. The client answers from its own source
// and sends zero bytes only past its end, which is an error, so the data
// must carry its own end: pullUpload is wrapped in a rawUpload.
type pullUpload struct {
	l *Logger
	r *wire.Reader
}

func (u *pullUpload) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if len(p) > maxPull {
		p = p[:maxPull]
	}
	u.l.mu.Lock()
	err := messages.EncodeStderr(u.l.w, &messages.StderrRead{Len: uint64(len(p))}, u.l.p)
	if err == nil {
		err = u.l.w.Flush()
	}
	u.l.mu.Unlock()
	if err != nil {
		return 0, err
	}
	data, err := u.r.AppendBytes(p[:0], 0, uint64(len(p)))
	if err != nil {
		return 0, err
	}
	if len(data) == 0 {
		return 0, fmt.Errorf("server: client ended a pulled upload early: %w", io.ErrUnexpectedEOF)
	}
	return len(data), nil
}

// rawUpload is the request stream of an op whose data is a NAR sent
// without framing or length (and of a pulled one): only the NAR grammar
// says where it ends. A goroutine scans exactly one NAR from src into a
// pipe that the handler reads; finish waits for the scan to end, reading
// what the handler left, so that the connection stays in sync.
type rawUpload struct {
	pr   *io.PipeReader
	done chan error
}

func newRawUpload(src io.Reader) *rawUpload {
	pr, pw := io.Pipe()
	u := &rawUpload{pr: pr, done: make(chan error, 1)}
	go func() {
		_, err := nar.Copy(pw, src)
		pw.CloseWithError(err) // nil: the handler reads io.EOF
		u.done <- err
	}()
	return u
}

func (u *rawUpload) Read(p []byte) (int, error) { return u.pr.Read(p) }

// abandon ends the copying goroutine: its next write into the pipe fails
// (a read it is blocked in fails once the connection is closed).
func (u *rawUpload) abandon() { u.pr.CloseWithError(errAbandoned) }

// errAbandoned ends the copy of data the connection gave up.
var errAbandoned = errors.New("server: the request's data was abandoned")

func (u *rawUpload) finish() error {
	// Whatever the handler did not read is discarded, but still scanned:
	// the NAR's end is only known by reading it.
	go io.Copy(io.Discard, u.pr)
	err := <-u.done
	if err != nil && !errors.Is(err, io.ErrClosedPipe) {
		return err
	}
	return nil
}
