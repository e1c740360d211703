package peercred

import (
	"net"
	"syscall"
)

// Of returns the process id and user id of the peer of a unix socket
// connection (for a connecting client: the process that listens); ok is
// false for any other connection, or where they cannot be known.
func Of(nc net.Conn) (pid int, uid uint32, ok bool) {
	uc, isUnix := nc.(*net.UnixConn)
	if !isUnix {
		return 0, 0, false
	}
	raw, err := uc.SyscallConn()
	if err != nil {
		return 0, 0, false
	}
	var cred *syscall.Ucred
	var credErr error
	if err := raw.Control(func(fd uintptr) {
		cred, credErr = syscall.GetsockoptUcred(int(fd), syscall.SOL_SOCKET, syscall.SO_PEERCRED)
	}); err != nil || credErr != nil {
		return 0, 0, false
	}
	return int(cred.Pid), cred.Uid, true
}
