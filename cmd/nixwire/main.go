package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() { os.Exit(cliMain(os.Args[1:])) }

// cliMain is the program as a process: run on the process's own standard
// files, ended by os.Exit if a command does not wind down (see runWith).
func cliMain(args []string) int {
	// A closed pipe on stdout is an error the command reports (exit 1),
	// as Nix does, not a signal that kills nixwire mid-way: a trace to a
	// pipe would drop the connections it forwards.
	signal.Ignore(syscall.SIGPIPE)
	return runWith(args, os.Stdin, os.Stdout, os.Stderr, os.Exit)
}
