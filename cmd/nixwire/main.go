// Command nixwire is a companion to `nix path-info` and `nix-store -q` that
// talks to a Nix daemon directly, over nixwire's client: queries are
// pipelined, so that thousands of paths cost what the daemon needs rather
// than thousands of round trips.
//
// Usage:
//
//	nixwire <command> [flags] [args]
//
// Flags may come anywhere after the command (`nixwire path-info PATH
// --json`); "--" ends them. `nixwire help` lists the commands and `nixwire
// help COMMAND` a command's flags. The store commands:
//
//	path-info PATH...        as `nix path-info` (-r, -s, -S, -h, --sigs); --json as Nix 2.8
//	is-valid PATH...         exit 1 (naming them) if some path is not valid
//	query-valid PATH...      print the valid ones
//	references PATH...       as nix-store -q --references
//	referrers PATH...        as nix-store -q --referrers
//	hash-part HASH...        the valid path with this hash part
//	outputs DRV              "name path" lines
//	missing DERIVED-PATH...  what building would build, fetch, not know
//	nar PATH                 the NAR on stdout (nix-store --dump); progress bar on a terminal
//	add FILE|DIR...          as nix-store --add
//	build DERIVED-PATH...    build, log on stderr, output paths on stdout
//	gc-roots                 as nix-store --gc --print-roots
//	copy --from URL --to URL PATH...   copy closures between stores
//	info                     what the handshake negotiated
//
// and two that need no store: demo (encodes and decodes sample values) and
// packets (prints the bytes packets read from standard input).
//
// # Stores
//
// --store URL takes the store URLs of client.Dial: daemon (the system
// daemon's socket, or $NIX_DAEMON_SOCKET_PATH), unix://PATH, ssh-ng://[USER@]HOST
// (the system's ssh running nix-daemon --stdio), stdio (a spawned
// nix-daemon --stdio), local?root=DIR (a spawned daemon on that store) and
// auto. Without --store, $NIX_REMOTE says; without
// it, auto: the system daemon's socket if it exists, else a spawned
// nix-daemon --stdio. The flags -socket PATH and -stdio CMD of earlier
// versions still work, deprecated. -v shows the daemon's log and
// activities; --timeout D gives up after D; --max-protocol V offers at most
// protocol V (to use an older daemon's code paths); Ctrl-C cancels cleanly,
// a second Ctrl-C kills, and a command still busy 5 s after Ctrl-C or its
// timeout (one blocked writing to a pipe nobody reads) exits anyway (serve:
// after its --shutdown-timeout).
//
// # Output
//
// Store paths print one a line in Nix's order (every path after the paths
// it refers to, ties by name; JSON sorted by name); hashes in Nix's
// own forms (sha256:<nix32>, SRI in JSON), never bare hex. The JSON of
// `path-info --json` is stable: byte for byte what Nix 2.8's
// `nix path-info --json` prints (an array of objects with path, narHash
// as sha256-<base64>, narSize, references, then when present ca,
// closureSize (-S), deriver, registrationTime, ultimate, signatures; a
// path that is not valid is {"path":…,"valid":false}), plus a final
// newline Nix leaves out.
//
// # Exit status
//
// 0 success; 1 an error: store, daemon, protocol or I/O (a reader of
// standard output that went away included: SIGPIPE is ignored, as Nix
// reports a broken pipe), a path that is not valid, a failed build, an
// interruption or --timeout; 2 a usage error.
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
