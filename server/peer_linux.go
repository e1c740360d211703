package server

import (
	"net"
	"syscall"
)

// PeerUID returns the user id of the process on the other end of a unix
// socket connection (SO_PEERCRED), for Server.Trust: ok is false for any
// other connection.
func PeerUID(nc net.Conn) (uid uint32, ok bool) {
	uc, isUnix := nc.(*net.UnixConn)
	if !isUnix {
		return 0, false
	}
	raw, err := uc.SyscallConn()
	if err != nil {
		return 0, false
	}
	var cred *syscall.Ucred
	var credErr error
	if err := raw.Control(func(fd uintptr) {
		cred, credErr = syscall.GetsockoptUcred(int(fd), syscall.SOL_SOCKET, syscall.SO_PEERCRED)
	}); err != nil || credErr != nil {
		return 0, false
	}
	return cred.Uid, true
}
