package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// readmeSection returns the fenced code blocks of the README section
// titled title, in order.
func readmeSection(t *testing.T, title string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	i := strings.Index(text, "\n"+title+"\n")
	if i < 0 {
		t.Fatalf("README.md has no section %q", title)
	}
	text = text[i+len(title)+2:]
	if j := strings.Index(text, "\n#"); j >= 0 {
		text = text[:j]
	}
	var blocks []string
	for {
		start := strings.Index(text, "```")
		if start < 0 {
			return blocks
		}
		text = text[start+3:]
		nl := strings.IndexByte(text, '\n')
		end := strings.Index(text, "\n```")
		if nl < 0 || end < nl {
			t.Fatalf("README.md: unclosed code block in %q", title)
		}
		blocks = append(blocks, text[nl+1:end+1])
		text = text[end+4:]
	}
}

// TestReadmeGenerate follows the README's "Generating code in your
// module" verbatim in a fresh module whose nixwire is replaced by this
// repository: go get -tool, go mod tidy before any Go file imports
// nixwire (which must keep the requirement), the schema and the Go file
// with the generate directive as shown, go generate and go build.
//
// The go command runs with -mod=mod, no workspace, the local toolchain
// and the environment's GOPROXY and module cache, behind two stand-ins
// for what a published release would have: a file proxy in front of
// GOPROXY that says nixwire has no published versions (so that go get
// takes the replacement instead of asking the real proxy for an unknown
// module), and the repository's go.sum, which holds the checksums that
// sum.golang.org would give (it is not reachable offline).
func TestReadmeGenerate(t *testing.T) {
	blocks := readmeSection(t, "### Generating code in your module")
	if len(blocks) != 4 {
		t.Fatalf("the README section has %d code blocks, want 4 (go get, the schema, the Go file, generate and build)", len(blocks))
	}
	getTool, schemaSrc, goSrc, build := blocks[0], blocks[1], blocks[2], blocks[3]
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name, content string) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module example.com/fresh\n\ngo 1.26.0\n\nreplace github.com/nixwire/nixwire => "+root+"\n")
	sums, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	write("go.sum", string(sums))
	proxy := t.TempDir()
	for _, mod := range []string{"github.com/nixwire/nixwire", "github.com/nixwire/nixwire/cmd", "github.com/nixwire/nixwire/cmd/nixwire-gen"} {
		list := filepath.Join(proxy, filepath.FromSlash(mod), "@v", "list")
		if err := os.MkdirAll(filepath.Dir(list), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(list, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	goproxy := "file://" + filepath.ToSlash(proxy)
	if out, err := exec.Command("go", "env", "GOPROXY").Output(); err == nil && strings.TrimSpace(string(out)) != "" {
		goproxy += "," + strings.TrimSpace(string(out))
	}
	env := append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off", "GOTOOLCHAIN=local", "GOPROXY="+goproxy)
	sh := func(lines string) {
		t.Helper()
		for line := range strings.SplitSeq(strings.TrimSpace(lines), "\n") {
			cmd := exec.Command("sh", "-c", line)
			cmd.Dir, cmd.Env = dir, env
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("%s: %v\n%s", line, err, out)
			}
		}
	}

	sh(getTool)
	sh("go mod tidy")
	mod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"\ntool github.com/nixwire/nixwire/cmd/nixwire-gen\n", "github.com/nixwire/nixwire v"} {
		if !strings.Contains(string(mod), want) {
			t.Errorf("go.mod after go get -tool and go mod tidy lacks %q:\n%s", want, mod)
		}
	}

	write("kv/kv.schema", schemaSrc)
	write("kv/kv.go", goSrc)
	sh(build)
	got, err := os.ReadFile(filepath.Join(dir, "kv", "kv_gen.go"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(got), "\npackage kv\n") || !strings.Contains(string(got), "OpGet") {
		t.Errorf("kv_gen.go is not the kv package's:\n%.400s", got)
	}
}
