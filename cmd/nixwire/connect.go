package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/nixwire/nixwire/client"
	"github.com/nixwire/nixwire/client/stdio"
	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/wire"
)

// storeFlags are the flags of every command that talks to a store.
type storeFlags struct {
	store    string
	socket   string // deprecated
	stdio    string // deprecated
	verbose  countFlag
	timeout  time.Duration
	maxProto string
}

// add registers the flags on fs.
func (sf *storeFlags) add(fs *flag.FlagSet) {
	fs.StringVar(&sf.store, "store", "", "the store `URL`: daemon, unix://PATH, ssh-ng://[USER@]HOST, stdio, auto, local?root=DIR (default $NIX_REMOTE, else auto)")
	fs.StringVar(&sf.socket, "socket", "", "deprecated: --store unix://`PATH`")
	fs.StringVar(&sf.stdio, "stdio", "", "deprecated: start `CMD` (split at spaces) and talk to it over its stdin and stdout")
	fs.Var(&sf.verbose, "v", "show the daemon's log and activities (repeat for more)")
	fs.DurationVar(&sf.timeout, "timeout", 0, "give up after this `duration` (0: never)")
	fs.StringVar(&sf.maxProto, "max-protocol", "", "offer at most this worker protocol `version` (e.g. 1.31), to use an older daemon's code paths")
}

// check reports a usage error in the flags.
func (sf *storeFlags) check() error {
	n := 0
	for _, s := range []string{sf.store, sf.socket, sf.stdio} {
		if s != "" {
			n++
		}
	}
	if n > 1 {
		return errors.New("--store, -socket and -stdio exclude each other")
	}
	if sf.stdio != "" && len(strings.Fields(sf.stdio)) == 0 {
		return errors.New("-stdio needs a command")
	}
	if sf.store != "" {
		if _, err := client.ParseStoreURL(sf.store); err != nil {
			return err
		}
	}
	if sf.timeout < 0 {
		return fmt.Errorf("--timeout %v: want a positive duration (0: none)", sf.timeout)
	}
	if sf.maxProto != "" {
		v, err := wire.ParseVersion(sf.maxProto)
		if err != nil || v < client.MinVersion || v > client.DefaultVersion {
			return fmt.Errorf("--max-protocol %q: want a version from %s to %s", sf.maxProto, client.MinVersion, client.DefaultVersion)
		}
	}
	return nil
}

// url returns the store chosen: --store, -socket, $NIX_REMOTE, else auto.
func (sf *storeFlags) url() string {
	switch {
	case sf.store != "":
		return sf.store
	case sf.socket != "":
		return "unix://" + sf.socket
	case os.Getenv(client.EnvRemote) != "":
		return os.Getenv(client.EnvRemote)
	}
	return "auto"
}

// dial connects to the chosen store.
func (e *env) dial(ctx context.Context) (*client.Conn, error) {
	if e.store.stdio != "" {
		args := strings.Fields(e.store.stdio)
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Stderr = e.stderr
		rw, err := stdio.Start(context.WithoutCancel(ctx), cmd)
		if err != nil {
			return nil, err
		}
		c, err := client.HandshakeContext(ctx, rw, e.options())
		if err != nil {
			rw.Close()
		}
		return c, err
	}
	return e.dialURL(ctx, e.store.url())
}

// dialURL connects to the store at url.
func (e *env) dialURL(ctx context.Context, url string) (*client.Conn, error) {
	c, err := client.Dial(ctx, url, e.options())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", url, err)
	}
	return c, nil
}

// options returns the client options: the daemon's log goes to stderr.
// Without -v, its messages (warnings), the texts of its activities at
// Info or below ("building '…'...") and build logs are shown as Nix shows
// them; with -v, every frame through log/slog.
func (e *env) options() client.Options {
	settings := client.DefaultSettings()
	// Build output comes as build-log results; not also as messages.
	settings.VerboseBuild = messages.VerbosityVomit
	opt := client.Options{Settings: settings, Logger: e.logger(settings)}
	opt.MaxVersion, _ = wire.ParseVersion(e.store.maxProto) // checked; 0 if unset
	if log, hook := opt.Logger, e.onFrame; hook != nil {
		opt.Logger = func(ctx context.Context, op string, frame messages.Stderr) {
			hook(frame)
			log(ctx, op, frame)
		}
	}
	return opt
}

// logger returns the logger of the daemon's frames, and raises the
// verbosity in settings for -v.
func (e *env) logger(settings *messages.ClientSettings) client.Logger {
	if e.store.verbose == 0 {
		strip := !isTerminal(e.stderrFile)
		return func(_ context.Context, _ string, frame messages.Stderr) {
			var line string
			var ok bool
			switch f := frame.(type) {
			case *messages.StderrNext:
				line, ok = f.Message, true
			case *messages.StderrResult:
				line, ok = buildLogLine(f)
			case *messages.StderrStartActivity:
				// As Nix's own simple logger: "building '…drv'...".
				if f.Level <= messages.VerbosityInfo && f.Text != "" && f.Type != messages.ActivityTypeBuildWaiting {
					line, ok = f.Text+"...", true
				}
			}
			if !ok {
				return
			}
			if strip {
				line = client.StripANSI(line)
			}
			if !strings.HasSuffix(line, "\n") {
				line += "\n"
			}
			io.WriteString(e.stderr, line)
		}
	}
	settings.Verbosity = min(messages.VerbosityInfo+messages.Verbosity(e.store.verbose), messages.VerbosityVomit)
	level := slog.LevelDebug - 4*slog.Level(e.store.verbose-1)
	h := slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: level, ReplaceAttr: dropTime})
	return client.SlogLogger(slog.New(h))
}

// buildLogLine returns the line of a build-log result.
func buildLogLine(f *messages.StderrResult) (string, bool) {
	if f.Type != messages.ResultTypeBuildLogLine && f.Type != messages.ResultTypePostBuildLogLine || len(f.Fields) != 1 {
		return "", false
	}
	s, ok := f.Fields[0].(*messages.FieldString)
	if !ok {
		return "", false
	}
	return s.Value, true
}

// dropTime removes slog's time attribute: the log is read live.
func dropTime(groups []string, a slog.Attr) slog.Attr {
	if len(groups) == 0 && a.Key == slog.TimeKey {
		return slog.Attr{}
	}
	return a
}
