package client

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"strings"

	"github.com/nixwire/nixwire/client/stdio"
)

// Environment variables Dial honours, as Nix does.
const (
	// EnvRemote names the store to use when the caller chose none.
	EnvRemote = "NIX_REMOTE"
	// EnvSocketPath overrides DefaultSocketPath for the "daemon" store.
	EnvSocketPath = "NIX_DAEMON_SOCKET_PATH"
	// EnvSSHOpts holds extra options for ssh (split at spaces), for
	// ssh-ng:// stores.
	EnvSSHOpts = "NIX_SSHOPTS"
)

// DefaultDaemonProgram is the program a spawned or remote daemon runs as.
const DefaultDaemonProgram = "nix-daemon"

// ErrStoreURL is matched by the errors of store URLs Dial cannot use.
var ErrStoreURL = errors.New("client: unusable store URL")

// StoreURL is a parsed store URL, in the forms Nix users write:
//
//   - "daemon": the system daemon's socket, DefaultSocketPath or the path
//     in NIX_DAEMON_SOCKET_PATH;
//   - "unix://PATH": the daemon listening on the socket PATH;
//   - "ssh-ng://[USER@]HOST[:PORT]": the system's ssh running
//     `nix-daemon --stdio` on HOST, as Nix does; parameters remote-program
//     (default nix-daemon), remote-store (passed as --store) and ssh-key
//     (passed as -i), and the options in NIX_SSHOPTS;
//   - "stdio": a `nix-daemon --stdio` child process, which opens the
//     local store itself (as root); parameter program names the daemon
//     program (default nix-daemon, found on PATH);
//   - "local[?PARAMS]": "stdio" opening Nix's local store; with
//     parameters (other than program), the child opens that store
//     (`nix-daemon --stdio --store 'local?PARAMS'`, e.g. local?root=DIR);
//   - "auto": the system daemon's socket if it exists, else "stdio".
type StoreURL struct {
	// Scheme is "daemon", "unix", "ssh-ng", "stdio" or "auto" ("local"
	// is "stdio" with Store set).
	Scheme string
	// Store is the store a "stdio" child opens (its --store), or "" for
	// its default: set for a "local" URL with parameters.
	Store string
	// Path is the socket of a "unix" store.
	Path string
	// User, Host and Port address an "ssh-ng" store (User and Port may be
	// empty).
	User, Host, Port string
	// Params are the URL's query parameters.
	Params url.Values
	// raw is the URL as given.
	raw string
}

// String returns the URL as given.
func (u *StoreURL) String() string { return u.raw }

// ParseStoreURL parses a store URL (see StoreURL); "" is not one.
func ParseStoreURL(s string) (*StoreURL, error) {
	bad := func(why string) (*StoreURL, error) {
		return nil, fmt.Errorf("%w %q: %s", ErrStoreURL, s, why)
	}
	base, query, _ := strings.Cut(s, "?")
	params, err := url.ParseQuery(query)
	if err != nil {
		return bad(err.Error())
	}
	u := &StoreURL{Params: params, raw: s}
	switch {
	case base == "daemon" || base == "auto" || base == "stdio":
		u.Scheme = base
	case base == "local":
		// The store's own parameters (root=, state=, …) go to the
		// child, so that it opens that store and not the system's.
		u.Scheme = "stdio"
		own := url.Values{}
		for k, v := range params {
			if k != "program" {
				own[k] = v
			}
		}
		if len(own) > 0 {
			u.Store = "local?" + own.Encode()
		}
	case strings.HasPrefix(base, "unix://"):
		u.Scheme, u.Path = "unix", strings.TrimPrefix(base, "unix://")
		if u.Path == "" {
			return bad("no socket path")
		}
	case strings.HasPrefix(base, "ssh-ng://"):
		u.Scheme = "ssh-ng"
		host := strings.TrimPrefix(base, "ssh-ng://")
		if user, h, ok := strings.Cut(host, "@"); ok {
			if !sshWord(user) {
				return bad("no usable user")
			}
			u.User, host = user, h
		}
		if h, port, ok := strings.Cut(host, ":"); ok && !strings.Contains(port, ":") {
			if port == "" || strings.Trim(port, "0123456789") != "" {
				return bad("no usable port")
			}
			host, u.Port = h, port
		}
		if !sshWord(host) || strings.ContainsAny(host, "/@") {
			return bad("no usable host")
		}
		if strings.HasPrefix(params.Get("remote-program"), "-") {
			return bad("remote-program starts with '-'")
		}
		u.Host = host
	default:
		return bad("want daemon, auto, local, stdio, unix://PATH or ssh-ng://[USER@]HOST")
	}
	return u, nil
}

// sshWord reports whether s can be handed to ssh as a user or host name:
// not empty, not taken for an option (a leading '-' could make ssh run a
// local command, e.g. -oProxyCommand=…), and no spaces or control
// characters.
func sshWord(s string) bool {
	if s == "" || s[0] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] == 0x7f {
			return false
		}
	}
	return true
}

// Dial connects to the store at store (a URL, see StoreURL) and performs
// the handshake. An empty store means the one in NIX_REMOTE, or "daemon"
// if that is empty too. For the stores reached through a child process
// (ssh-ng, stdio), ctx bounds the dial and the handshake, and the child
// lives until the Conn is closed; its stderr is kept (the first MiB) for
// the errors of a failed handshake.
func Dial(ctx context.Context, store string, opt Options) (*Conn, error) {
	if store == "" {
		store = os.Getenv(EnvRemote)
	}
	if store == "" {
		store = "daemon"
	}
	u, err := ParseStoreURL(store)
	if err != nil {
		return nil, err
	}
	return DialURL(ctx, u, opt)
}

// DialURL is Dial of a parsed URL.
func DialURL(ctx context.Context, u *StoreURL, opt Options) (*Conn, error) {
	switch u.Scheme {
	case "daemon":
		return DialUnix(ctx, SocketPath(), opt)
	case "unix":
		return DialUnix(ctx, u.Path, opt)
	case "auto":
		if fi, err := os.Stat(SocketPath()); err == nil && fi.Mode()&os.ModeSocket != 0 {
			return DialUnix(ctx, SocketPath(), opt)
		}
		return dialChild(ctx, stdioCommand(u), opt)
	case "stdio":
		return dialChild(ctx, stdioCommand(u), opt)
	case "ssh-ng":
		return dialChild(ctx, sshCommand(u), opt)
	}
	return nil, fmt.Errorf("%w %q: scheme %q", ErrStoreURL, u.raw, u.Scheme)
}

// SocketPath returns the system daemon's socket: NIX_DAEMON_SOCKET_PATH,
// or DefaultSocketPath.
func SocketPath() string {
	if p := os.Getenv(EnvSocketPath); p != "" {
		return p
	}
	return DefaultSocketPath
}

// stdioCommand returns the command of a spawned daemon.
func stdioCommand(u *StoreURL) *exec.Cmd {
	program := u.Params.Get("program")
	if program == "" {
		program = DefaultDaemonProgram
	}
	args := []string{"--stdio"}
	if u.Store != "" {
		args = append(args, "--store", u.Store)
	}
	return exec.Command(program, args...)
}

// sshCommand returns the ssh command running the daemon on u's host, as
// Nix's SSHMaster runs it: ssh -x -a [NIX_SSHOPTS] [-i key] [-p port]
// -- host remote-program --stdio [--store remote-store]. The "--" keeps
// the host from being read as an option (OpenSSH then reads no options
// after the host either, so the command follows it as is).
func sshCommand(u *StoreURL) *exec.Cmd {
	args := []string{"-x", "-a"}
	args = append(args, strings.Fields(os.Getenv(EnvSSHOpts))...)
	if key := u.Params.Get("ssh-key"); key != "" {
		args = append(args, "-i", key)
	}
	if u.Port != "" {
		args = append(args, "-p", u.Port)
	}
	dest := u.Host
	if u.User != "" {
		dest = u.User + "@" + u.Host
	}
	program := u.Params.Get("remote-program")
	if program == "" {
		program = DefaultDaemonProgram
	}
	remote := []string{shellQuote(program), "--stdio"}
	if store := u.Params.Get("remote-store"); store != "" {
		remote = append(remote, "--store", shellQuote(store))
	}
	args = append(args, "--", dest)
	args = append(args, remote...)
	return exec.Command("ssh", args...)
}

// shellQuote quotes s for the remote shell that runs ssh's command.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:+@%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// dialChild starts cmd and shakes hands over its stdin and stdout.
func dialChild(ctx context.Context, cmd *exec.Cmd, opt Options) (*Conn, error) {
	// The child outlives ctx, which bounds the dial only: it is stopped
	// by Close.
	sc, err := stdio.Start(context.WithoutCancel(ctx), cmd)
	if err != nil {
		return nil, fmt.Errorf("client: %w", err)
	}
	c, err := HandshakeContext(ctx, sc, opt)
	if err != nil {
		sc.Close()
		if msg := strings.TrimSpace(sc.Stderr()); msg != "" {
			return nil, fmt.Errorf("%w (%s: %s)", err, cmd.Path, msg)
		}
		return nil, err
	}
	return c, nil
}
