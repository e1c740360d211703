package main

import (
	"encoding/json"
	"flag"
	"io"
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
		for _, a := range got {
			if !strings.Contains(line, a) {
				t.Fatalf("argument %q is not in %q", a, line)
			}
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
