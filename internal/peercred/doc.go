// Package peercred reads who is on the other end of a unix socket
// connection (SO_PEERCRED): for the server's trust by user, and for the
// benchmarks that find a daemon's process.
package peercred
