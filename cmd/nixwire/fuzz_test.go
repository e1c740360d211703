package main

import (
	"encoding/json"
	"flag"
	"io"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParseInterspersed: any command line parses or fails without
// panicking, and every argument that is not a flag survives in order.
func FuzzParseInterspersed(f *testing.F) {
	for _, s := range []string{"a --json b", "--store unix://s a -r", "-rS -- --json", "--store", "-rx a", "- -- -"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		args := strings.Fields(line)
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		fs.Bool("json", false, "")
		fs.Bool("r", false, "")
		fs.Bool("S", false, "")
		fs.String("store", "", "")
		got, err := parseInterspersed(fs, args)
		if err != nil {
			return
		}
		// The arguments that are not flags nor --store's value, and all
		// after "--", must come back, in order.
		var want []string
		for i := 0; i < len(args); i++ {
			a := args[i]
			if a == "--" {
				want = append(want, args[i+1:]...)
				break
			}
			if len(a) < 2 || a[0] != '-' {
				want = append(want, a)
			} else if a == "-store" || a == "--store" {
				i++ // its value
			}
		}
		rest := got
		for _, w := range want {
			k := slices.Index(rest, w)
			if k < 0 {
				t.Fatalf("%q: argument %q lost or out of order; got %q", line, w, got)
			}
			rest = rest[k+1:]
		}
	})
}

// FuzzAppendJSONString: what appendJSONString writes is JSON that decodes
// to the input (for valid UTF-8, which Go's decoder keeps as it is).
func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "a\"b\\c\n\r\t\x01\x1f", "/nix/store/x-é", "<&>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b := appendJSONString(nil, s)
		if !utf8.ValidString(s) {
			return
		}
		var back string
		if err := json.Unmarshal(b, &back); err != nil || back != s {
			t.Fatalf("%q encoded as %s decodes to %q, %v", s, b, back, err)
		}
	})
}
