package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/nixwire/nixwire/messages"
)

// Exit statuses, documented in the package doc and `nixwire help`.
const (
	exitOK    = 0 // the command did what was asked
	exitError = 1 // a store, daemon, protocol or I/O error; a path not valid; a failed build
	exitUsage = 2 // the command line is wrong
)

// A command is one entry of the command table. Each command registers
// itself from its own file (register in an init function), so that adding
// one touches no other file.
type command struct {
	// name is what the user types, "path-info".
	name string
	// args is the synopsis of the arguments, "[--json] PATH...".
	args string
	// summary is one line for `nixwire help`.
	summary string
	// store says that the command talks to a store: it gets --store, -v,
	// --timeout and the deprecated -socket and -stdio.
	store bool
	// minArgs and maxArgs bound the number of arguments (maxArgs < 0: no
	// bound).
	minArgs, maxArgs int
	// setup registers the command's own flags on fs and returns its body,
	// which runs once the flags are parsed.
	setup func(fs *flag.FlagSet) func(ctx context.Context, e *env, args []string) error
}

// commands is the command table, filled by register.
var commands = map[string]*command{}

// register adds c to the command table.
func register(c *command) {
	if _, dup := commands[c.name]; dup {
		panic("nixwire: command registered twice: " + c.name)
	}
	commands[c.name] = c
}

// env is what a command's body works with.
type env struct {
	stdin  io.Reader
	stdout *bufio.Writer
	// stderr is safe for concurrent use (the daemon's log, a progress bar
	// and the command write to it).
	stderr io.Writer
	// stderrFile is the original stderr if it is a file (for terminal
	// checks), else nil.
	stderrFile *os.File
	store      storeFlags
	// onFrame, if set, sees every log frame of the daemon first (the
	// progress bar takes the daemon's figures from it).
	onFrame func(messages.Stderr)
	// windDown is how long the command may take to end once interrupted
	// or timed out (see runWith); 0 means defaultWindDown. A command with
	// a graceful shutdown of its own (serve) sets it to more.
	windDown atomic.Int64
}

// defaultWindDown is how long a command may take to end after Ctrl-C or
// --timeout before the process exits anyway: a command blocked in a write
// to a pipe nobody reads cannot be stopped otherwise. (A variable for the
// tests.)
var defaultWindDown = 5 * time.Second

// outputError is a failure to write the command's output (standard
// output, the trace): it is reported as itself even when the command was
// interrupted too.
type outputError struct{ err error }

func (e *outputError) Error() string { return e.err.Error() }
func (e *outputError) Unwrap() error { return e.err }

// usageError is a wrong command line; it exits with exitUsage.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// usagef returns a usageError.
func usagef(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

// errReported is returned by bodies that printed their own error message
// (for example one line per invalid path) and only need exitError.
var errReported = errors.New("failed")

// run is the whole program: it parses args, does the work and returns the
// exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return runWith(args, stdin, stdout, stderr, nil)
}

// runWith is run; if exit is not nil (main passes os.Exit), a command
// that has not ended its wind-down time (env.windDown) after Ctrl-C or
// --timeout is ended with exit(exitError).
func runWith(args []string, stdin io.Reader, stdout, stderr io.Writer, exit func(int)) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage())
		return exitUsage
	}
	args = commandFirst(args)
	name, rest := args[0], args[1:]
	switch name {
	case "-h", "-help", "--help":
		name = "help"
	}
	c := commands[name]
	if c == nil {
		fmt.Fprintf(stderr, "nixwire: unknown command %q (see 'nixwire help')\n", name)
		return exitUsage
	}
	e := &env{stdin: stdin, stderr: &lockedWriter{w: stderr}}
	if f, ok := stderr.(*os.File); ok {
		e.stderrFile = f
	}
	fs := flag.NewFlagSet("nixwire "+c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	if c.store {
		e.store.add(fs)
	}
	body := c.setup(fs)
	positional, err := parseInterspersed(fs, rest)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, commandUsage(c, fs))
		return exitOK
	}
	if err == nil {
		err = checkArgs(c, positional)
	}
	if err == nil && c.store {
		err = e.store.check()
	}
	if err == nil && c.store && (e.store.socket != "" || e.store.stdio != "") {
		fmt.Fprintf(stderr, "nixwire %s: -socket and -stdio are deprecated: use --store unix://PATH or --store stdio\n", c.name)
	}
	if err != nil {
		fmt.Fprintf(stderr, "nixwire %s: %v (see 'nixwire help %s')\n", c.name, err, c.name)
		return exitUsage
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// After the first Ctrl-C the command winds down; a second one kills
	// it as usual.
	context.AfterFunc(ctx, stop)
	if c.store && e.store.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, e.store.timeout, fmt.Errorf("timed out after %v (--timeout)", e.store.timeout))
		defer cancel()
	}
	if exit != nil {
		returned := make(chan struct{})
		defer close(returned) // before stop and cancel: no exit then
		context.AfterFunc(ctx, func() {
			wait := time.Duration(e.windDown.Load())
			if wait <= 0 {
				wait = defaultWindDown
			}
			t := time.NewTimer(wait)
			defer t.Stop()
			select {
			case <-returned:
			case <-t.C:
				fmt.Fprintf(stderr, "nixwire %s: %v, and still busy %v later (a write that does not go through?): exiting\n", c.name, stopCause(ctx), wait)
				exit(exitError)
			}
		})
	}
	bw := bufio.NewWriterSize(stdout, 64<<10)
	e.stdout = bw
	err = body(ctx, e, positional)
	if ferr := bw.Flush(); ferr != nil && err == nil {
		err = &outputError{fmt.Errorf("writing standard output: %w", ferr)}
	}
	var ue *usageError
	var oe *outputError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintf(e.stderr, "nixwire %s: %v (see 'nixwire help %s')\n", c.name, err, c.name)
		return exitUsage
	case errors.Is(err, errReported):
	case ctx.Err() != nil && !errors.As(err, &oe):
		// Whatever the operation reported, the interruption or the
		// timeout is why.
		fmt.Fprintf(e.stderr, "nixwire %s: %v\n", c.name, stopCause(ctx))
	default:
		fmt.Fprintf(e.stderr, "nixwire %s: %v\n", c.name, err)
	}
	return exitError
}

// stopCause says why ctx ended: "interrupted" (Ctrl-C, SIGTERM) or the
// timeout.
func stopCause(ctx context.Context) error {
	why := context.Cause(ctx)
	if errors.Is(why, context.Canceled) {
		return errors.New("interrupted")
	}
	return why
}

// commandFirst moves the command name to the front when flags come
// before it (`nixwire -v build DRV`): the first argument that names a
// command is the command.
func commandFirst(args []string) []string {
	if !strings.HasPrefix(args[0], "-") || commands[strings.TrimLeft(args[0], "-")] != nil {
		return args
	}
	for i, a := range args {
		if commands[a] != nil {
			return slices.Concat([]string{a}, args[:i], args[i+1:])
		}
	}
	return args
}

// checkArgs checks the number of arguments.
func checkArgs(c *command, args []string) error {
	switch {
	case c.maxArgs == 0 && len(args) > 0:
		return errors.New("takes no arguments")
	case len(args) < c.minArgs && c.minArgs == 1:
		return fmt.Errorf("needs at least one argument: %s", c.args)
	case len(args) < c.minArgs:
		return fmt.Errorf("needs at least %d arguments: %s", c.minArgs, c.args)
	case c.maxArgs == 1 && len(args) > 1:
		return fmt.Errorf("takes exactly one argument: %s", c.args)
	case c.maxArgs > 0 && len(args) > c.maxArgs:
		return fmt.Errorf("takes at most %d arguments: %s", c.maxArgs, c.args)
	}
	return nil
}

// usageHead and usageTail frame the command list of `nixwire help`.
const (
	usageHead = "usage: nixwire <command> [flags] [args]   (flags may come anywhere after the command)\n\ncommands:\n"
	usageTail = `
store flags (every command that talks to a store):
  --store URL      the store: daemon, unix://PATH, ssh-ng://[USER@]HOST, stdio, auto,
                   local?root=DIR (a spawned daemon on that store)
                   (default: $NIX_REMOTE, else auto: the system daemon's socket if it
                   exists, else a spawned nix-daemon --stdio)
  -v               show the daemon's log and activities (-v -v: more)
  --timeout D      give up after D (e.g. 30s)
  --max-protocol V offer at most worker protocol V (e.g. 1.31)
  -socket PATH     deprecated: --store unix://PATH
  -stdio CMD       deprecated: start CMD (split at spaces) and talk over its stdin/stdout

exit status: 0 ok; 1 error (store, daemon, I/O, a path not valid, a failed build);
2 usage error. 'nixwire help COMMAND' shows a command's flags.
`
)

// usage returns the text of `nixwire help`.
func usage() string {
	var b strings.Builder
	b.WriteString(usageHead)
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		c := commands[n]
		left := c.name
		if c.args != "" {
			left += " " + c.args
		}
		if len(left) > 34 {
			fmt.Fprintf(&b, "  %s\n  %-34s %s\n", left, "", c.summary)
		} else {
			fmt.Fprintf(&b, "  %-34s %s\n", left, c.summary)
		}
	}
	b.WriteString(usageTail)
	return b.String()
}

// commandUsage returns the help of one command: synopsis and flags.
func commandUsage(c *command, fs *flag.FlagSet) string {
	var b strings.Builder
	fmt.Fprintf(&b, "usage: nixwire %s %s\n\n%s\n\nflags:\n", c.name, c.args, c.summary)
	fs.SetOutput(&b)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
	return b.String()
}

// lockedWriter serialises writes to w.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func init() {
	register(&command{
		name: "help", args: "[COMMAND]", summary: "show this help, or a command's flags", maxArgs: 1,
		setup: func(*flag.FlagSet) func(context.Context, *env, []string) error {
			return func(_ context.Context, e *env, args []string) error {
				if len(args) == 0 {
					fmt.Fprint(e.stdout, usage())
					return nil
				}
				c := commands[args[0]]
				if c == nil {
					return usagef("unknown command %q", args[0])
				}
				fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
				if c.store {
					new(storeFlags).add(fs)
				}
				c.setup(fs)
				fmt.Fprint(e.stdout, commandUsage(c, fs))
				return nil
			}
		},
	})
}
