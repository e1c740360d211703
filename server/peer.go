package server

import (
	"net"

	"github.com/nixwire/nixwire/internal/peercred"
)

// PeerUID returns the user id of the process on the other end of a unix
// socket connection (SO_PEERCRED on Linux), for Server.Trust: ok is false
// for any other connection, or where it cannot be known.
func PeerUID(nc net.Conn) (uid uint32, ok bool) {
	_, uid, ok = peercred.Of(nc)
	return uid, ok
}
