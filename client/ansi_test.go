package client_test

import (
	"testing"

	"github.com/nixwire/nixwire/client"
)

func TestStripANSI(t *testing.T) {
	for in, want := range map[string]string{
		"plain": "plain",
		"\x1b[31;1merror:\x1b[0m path '\x1b[35;1m/nix/store/x\x1b[0m'": "error: path '/nix/store/x'",
		"unterminated \x1b[31": "unterminated ",
		"two-byte \x1bcreset":  "two-byte reset",
		"trailing \x1b":        "trailing ",
		"":                     "",
	} {
		if got := client.StripANSI(in); got != want {
			t.Errorf("StripANSI(%q) = %q, want %q", in, got, want)
		}
	}
}
