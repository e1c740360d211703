package server

import (
	"net"
	"time"
)

// writeChunk is the most deadlineWriter hands the connection under one
// deadline: a client that takes this much within the write timeout is
// making progress, however long the whole reply takes.
const writeChunk = 64 << 10

// deadlineWriter writes to a connection with a fresh write deadline for
// every chunk of at most writeChunk bytes, so that a client that stops
// reading is given up after timeout while one that reads slowly is not.
// A zero timeout leaves the connection's deadline alone (the handshake's
// overall deadline, or none).
type deadlineWriter struct {
	nc      net.Conn
	timeout time.Duration
}

func (d *deadlineWriter) Write(p []byte) (int, error) {
	if d.timeout <= 0 {
		return d.nc.Write(p)
	}
	written := 0
	for len(p) > 0 {
		n := min(len(p), writeChunk)
		d.nc.SetWriteDeadline(time.Now().Add(d.timeout))
		m, err := d.nc.Write(p[:n])
		written += m
		if err != nil {
			return written, err
		}
		p = p[n:]
	}
	return written, nil
}
