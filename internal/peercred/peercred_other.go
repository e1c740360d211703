//go:build !linux

package peercred

import "net"

// Of returns the process id and user id of the peer of a unix socket
// connection; here (not Linux) they are not known, and ok is false.
func Of(nc net.Conn) (pid int, uid uint32, ok bool) { return 0, 0, false }
