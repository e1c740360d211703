package schema

import "testing"

func TestSuggest(t *testing.T) {
	names := []string{"u8", "u16", "u64", "list", "optional", "StorePath", "nix.StorePath", "Struct", "PathInfo"}
	for word, want := range map[string]string{
		"optinal":   "optional",
		"u46":       "u64", // a swap beats a substitution
		"lsit":      "list",
		"storepath": "StorePath",
		"PathInfos": "PathInfo",
		"Zebra":     "",
		"x":         "",
	} {
		if got := suggest(word, names); got != want {
			t.Errorf("suggest(%q) = %q, want %q", word, got, want)
		}
	}
	if got := suggest("StorePath", []string{"nix.StorePath", "StorePaths"}); got != "nix.StorePath" {
		t.Errorf("an imported type named without its import: %q", got)
	}
}
