package main

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/nixwire/nixwire/client"
	"github.com/nixwire/nixwire/messages"
)

func init() {
	register(&command{name: "build", args: "DERIVED-PATH...", store: true, minArgs: 1, maxArgs: -1,
		summary: "build DRV!OUT,… / DRV!* / PATH, streaming the build log to stderr; print the output paths",
		setup:   simple(build)})
}

// build builds the targets, the log streaming to stderr through the
// logger, and prints the outputs' paths; a failed build is reported with
// its message (which holds the log's tail) and exits 1.
func build(ctx context.Context, e *env, args []string) error {
	targets, err := derivedPathArgs(args)
	if err != nil {
		return err
	}
	return withConn(ctx, e, func(c *client.Conn) error {
		// Below 1.34 the client falls back to BuildPaths, whose failure
		// is an error.
		results, err := c.BuildPathsWithResults(ctx, targets, messages.BuildModeNormal)
		if err != nil {
			return err
		}
		failed := 0
		for _, r := range results {
			if isFailure(r.Result.Status) {
				fmt.Fprintf(e.stderr, "nixwire build: %s: %s: %s\n", r.Path, r.Result.Status, strings.TrimSpace(client.StripANSI(r.Result.ErrorMsg)))
				failed++
			}
		}
		if failed > 0 {
			return errReported
		}
		var out []messages.StorePath
		for _, t := range targets {
			paths, err := outputsOf(ctx, c, t)
			if err != nil {
				return err
			}
			out = append(out, paths...)
		}
		printPaths(e, out)
		return nil
	})
}

// isFailure reports whether a build status is a failure.
func isFailure(s messages.BuildStatus) bool {
	switch s {
	case messages.BuildStatusBuilt, messages.BuildStatusSubstituted, messages.BuildStatusAlreadyValid, messages.BuildStatusResolvesToAlreadyValid:
		return false
	}
	return true
}

// outputsOf returns the paths a built target stands for: an opaque path
// itself, or the selected outputs of a derivation, by output name.
func outputsOf(ctx context.Context, c *client.Conn, t messages.DerivedPath) ([]messages.StorePath, error) {
	drv, outs, ok := strings.Cut(string(t), "!")
	if !ok {
		return []messages.StorePath{messages.StorePath(t)}, nil
	}
	m, err := c.QueryDerivationOutputMap(ctx, messages.StorePath(drv))
	if err != nil {
		return nil, err
	}
	var names []string
	if outs == "*" {
		for n := range m {
			names = append(names, string(n))
		}
	} else {
		names = strings.Split(outs, ",")
	}
	slices.Sort(names)
	var paths []messages.StorePath
	for _, n := range names {
		p, ok := m[messages.OutputName(n)]
		if !ok || p == "" {
			return nil, fmt.Errorf("%s has no known output %q", drv, n)
		}
		paths = append(paths, p)
	}
	return paths, nil
}
