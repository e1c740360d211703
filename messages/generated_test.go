package messages_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/nixwire/nixwire/gen"
	"github.com/nixwire/nixwire/schema"
)

// generateInMemory runs what `go generate ./...` at the module root runs
// (nixwire-gen -schema ./messages -out ./messages -doc ./docs/protocol.md),
// without writing anything: file path relative to the module root → content.
func generateInMemory(tb testing.TB) map[string][]byte {
	tb.Helper()
	pkg, err := schema.Load([]string{"."}, schema.LoadConfig{
		Dir:  ".",
		Name: "messages",
		Path: "github.com/nixwire/nixwire/messages",
	})
	if err != nil {
		tb.Fatalf("loading the schema: %v", err)
	}
	cfg := gen.Config{SchemaPaths: map[string]string{}, Version: "(devel)",
		Command: "nixwire-gen -schema ./messages -out ./messages -doc ./docs/protocol.md"}
	for _, f := range pkg.Files {
		cfg.SchemaPaths[f] = "messages/" + filepath.ToSlash(filepath.Base(f))
	}
	files, err := gen.Generate(pkg, cfg)
	if err != nil {
		tb.Fatalf("generating: %v", err)
	}
	out := map[string][]byte{"docs/protocol.md": gen.Markdown(pkg, cfg)}
	for name, src := range files {
		out["messages/"+name] = src
	}
	return out
}

// TestGeneratedUpToDate fails when the committed generated code or protocol
// reference differs from what the schema generates now.
func TestGeneratedUpToDate(t *testing.T) {
	for path, want := range generateInMemory(t) {
		got, err := os.ReadFile(filepath.Join("..", filepath.FromSlash(path)))
		if err != nil {
			t.Errorf("%s: %v (run `go generate ./...` at the module root)", path, err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is stale: run `go generate ./...` at the module root and commit the result", path)
		}
	}
	// No generated file may be left over from a schema file that is gone.
	stale, _ := filepath.Glob("*_gen.go")
	generated := generateInMemory(t)
	for _, f := range stale {
		if _, ok := generated["messages/"+f]; !ok {
			t.Errorf("%s is not generated from any schema file: delete it", f)
		}
	}
}

// BenchmarkGenerateMessages measures loading and generating the whole Nix
// protocol (the target: under 2 seconds).
func BenchmarkGenerateMessages(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		generateInMemory(b)
	}
}
