package main

import (
	"flag"
	"strconv"
	"strings"
)

// parseInterspersed parses args with fs, letting flags come before, after
// and between the arguments (`nixwire path-info PATH --json`), which
// flag.FlagSet.Parse alone does not: it stops at the first argument. A
// "--" ends the flags; everything after it is an argument, as is "-". A
// run of one-letter boolean flags may be combined ("-rsS") when no flag has
// the combined name. It returns the arguments in their order.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var flags, positional []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			positional = append(positional, args[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			positional = append(positional, a)
			continue
		}
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		f := fs.Lookup(name)
		if f == nil && !hasValue && a[1] != '-' && len(name) > 1 {
			if expanded, ok := expandShort(fs, name); ok {
				flags = append(flags, expanded...)
				continue
			}
		}
		flags = append(flags, a)
		if f != nil && !hasValue && !isBool(f) && i+1 < len(args) {
			i++
			flags = append(flags, args[i])
		}
	}
	if err := fs.Parse(flags); err != nil {
		return nil, err
	}
	// fs.Parse stops at a non-flag, which can only be a stray value.
	return append(fs.Args(), positional...), nil
}

// expandShort splits "rsS" into "-r", "-s", "-S" if each is a boolean flag.
func expandShort(fs *flag.FlagSet, run string) ([]string, bool) {
	out := make([]string, 0, len(run))
	for _, r := range run {
		f := fs.Lookup(string(r))
		if f == nil || !isBool(f) {
			return nil, false
		}
		out = append(out, "-"+string(r))
	}
	return out, true
}

// isBool reports whether f needs no value, as the flag package decides.
func isBool(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// countFlag is a boolean flag that counts how often it is given (-v -v).
type countFlag int

func (c *countFlag) String() string { return strconv.Itoa(int(*c)) }

// Set adds one for "true" (the flag given alone), and takes a number.
func (c *countFlag) Set(s string) error {
	if s == "true" {
		*c++
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return strconv.ErrSyntax
	}
	*c = countFlag(n)
	return nil
}

// IsBoolFlag lets the flag be given without a value.
func (c *countFlag) IsBoolFlag() bool { return true }
