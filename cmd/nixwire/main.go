// Command nixwire is a small tool for people working with the Nix daemon
// wire protocol.
//
// Usage:
//
//	nixwire demo             encode sample values and decode them again, showing the bytes
//	nixwire packets [-max N] read bytes packets from standard input and print each payload
//
// Exit status is 0 on success, 1 on a protocol or I/O error and 2 on a usage error.
package main

import (
	"os"
)

func main() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) }
