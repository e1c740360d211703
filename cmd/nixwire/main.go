// Command nixwire is a small tool for people working with the Nix daemon
// wire protocol.
//
// Usage:
//
//	nixwire demo                            encode sample values and decode them again, showing the bytes
//	nixwire packets [-max N]                read bytes packets from standard input and print each payload
//	nixwire info [connection flags]         show what the handshake with a daemon negotiated
//	nixwire path-info [connection flags] PATH...
//	                                        print the metadata of store paths as "key: value" lines
//	nixwire nar [connection flags] PATH     write the NAR of a store path to standard output
//	nixwire trace --socket LISTEN [--upstream unix://PATH] [--out FILE] [--text]
//	                                        proxy to a daemon and log every decoded message
//
// The commands that talk to a daemon connect, by default, to a
// `nix-daemon --stdio` started from PATH. Connection flags:
//
//	-socket PATH   connect to the daemon listening on this unix socket
//	               (a system daemon: /nix/var/nix/daemon-socket/socket)
//	-stdio CMD     start CMD (split at spaces) and talk to it over its
//	               standard input and output
//
// Exit status is 0 on success, 1 on a protocol, daemon or I/O error and 2 on
// a usage error.
package main

import (
	"os"
)

func main() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) }
